"""Answers to policy questions: the specific FAQ entry a question asks for, short first.

One action serves every policy intent. It answers from the FAQ knowledge base (data/faq) when an
entry matches the question; it hands over to the intent's computing action when the message carries
the facts to compute with (an amount, a duration, a hospital level) or nothing specific matched; and
otherwise sends the intent's general answer. 「详细」 (or the number shown for it) expands the last
entry with its details and source.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.policy import (
    ActionClaimProcess,
    ActionEmployerArrears,
    ActionLapse,
    ActionReimbursement,
    ActionTransfer,
    detailed_replies,
)
from bot.faq import FaqMatch, FaqMatcher, KnowledgeBase, load_knowledge_base
from bot.faq.matcher import MIN_PROBABILITY
from bot.faq.render import details_reply, first_reply, next_step_buttons, topic_option_buttons
from bot.nlp.regions import canonical_region
from bot.rules.drugs import DOCUMENT, find_drug, mentions_a_drug
from bot.topics import INTENT_LABELS, redirect_regardless_of_topic

# Intents whose answer is computed from the message's facts or the person's records.
COMPUTING_ACTIONS: dict[str, Action] = {
    "lapse": ActionLapse(), "transfer": ActionTransfer(), "reimbursement_rate": ActionReimbursement(),
    "employer_arrears": ActionEmployerArrears(), "claim_process": ActionClaimProcess(),
}
COMPUTING_ENTITIES = frozenset({"amount", "duration", "hospital_level"})
DRUG_INTENTS = frozenset({"coverage_scope", "reimbursement_rate"})
# A medicine the catalogue does not list is said to be not found unless an entry answers the question
# clearly (「限二线用药是什么意思」 is about the catalogue's terms, 「XX片在医保用药范围吗」 about one drug).
DRUG_QUESTION_ENTRY_MIN = 0.4
# Intents with a general answer in the domain (utter_<intent>); the computing ones answer by computing.
GENERAL_ANSWER_INTENTS = frozenset({
    "account_usage", "enrollment", "insurance_types", "coverage_scope", "card_service", "e_voucher",
    "query_channels", "family_account", "designated_institution", "maternity", "retirement", "remote_care",
    "chronic_disease"})
FAQ_SLOT = "faq_entry"
TOPIC_SLOT = "last_topic"
QUESTION_SLOT = "last_question"  # the last computed question's text and facts, for refinements
# Facts a person adds after an estimate or a lapse answer (「三级医院」「我是居民医保」「在外地呢」).
FACT_ENTITIES = frozenset({"amount", "duration", "hospital_level", "insurance_type", "region"})
CARE_PLACE_WORDS = re.compile(r"异地|外地|外省|省外|本地|市内|老家")
REFINEMENT_MAX_CHARS = 20
# A message this short right after an answer is usually about the same topic (「要带什么」「多久到账」).
FOLLOW_UP_MAX_CHARS = 10

_knowledge: KnowledgeBase = load_knowledge_base()
_matcher = FaqMatcher(_knowledge)


def _intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


# The NLU's next topics are searched too (top-3 holds the right intent for 97 % of real questions
# against 88 % for top-1) when they are this likely; an entry of the top intent is preferred by this
# much probability, since the classifier is right far more often than not.
RUNNER_UP_MIN_CONFIDENCE = 0.05
RUNNER_UPS = 2
TOP_INTENT_BONUS = 0.1
OTHER_TOPIC_MIN_PROBABILITY = 0.35


def candidate_intents(text: str, intent: str, ranking: list[dict], last_topic: str | None) -> list[str]:
    """The topics whose entries may answer: the NLU's, the last topic for a short follow-up, and the
    NLU's next likely topics."""
    candidates = [intent]
    if last_topic and last_topic != intent and len(text.strip()) <= FOLLOW_UP_MAX_CHARS:
        candidates.append(last_topic)
    others = [r for r in ranking if r.get("name") not in (intent, "nlu_fallback")]
    candidates += [r["name"] for r in others[:RUNNER_UPS]
                   if float(r.get("confidence") or 0) >= RUNNER_UP_MIN_CONFIDENCE]
    return candidates


def _best_match(text: str, intent: str, candidates: list[str]) -> FaqMatch | None:
    """The best entry of the candidate topics; one outside the NLU's top intent must be clearly
    likely (a vague 「咨询下生育的问题」 must not get the hotline entry of another topic)."""
    ranked = [m for m in _matcher.ranked(text, candidates)
              if m.score >= (MIN_PROBABILITY if m.entry.intent == intent else OTHER_TOPIC_MIN_PROBABILITY)]
    return max(ranked, key=lambda m: m.score + TOP_INTENT_BONUS * (m.entry.intent == intent), default=None)


# Words that carry no question: what is left of 「咨询一下生育方面的问题」 is only the topic.
_FILLER = re.compile(r"咨询|请问|问一下|问下|问问|想问|我想|了解|一下|关于|有关|方面|的|问题|事情|事儿|事|政策|吗|呢|啊|呀|[\s\W_]")
TOPIC_ONLY_MAX_CHARS = 4


def names_only_a_topic(text: str) -> bool:
    """「咨询下生育的问题」「医保卡」: a topic without a question in it."""
    return len(_FILLER.sub("", text)) <= TOPIC_ONLY_MAX_CHARS


def exact_match(text: str) -> FaqMatch | None:
    """A numbered option picked, or a question the knowledge base words the same."""
    entry = _matcher.exact(text)
    return FaqMatch(entry, 1.0, exact=True) if entry is not None else None


def choose_entry(text: str, intent: str, ranking: list[dict], last_topic: str | None = None) -> FaqMatch | None:
    """The FAQ entry that answers this message, or None (then a computation, the topic's options or
    its general answer)."""
    return exact_match(text) or _best_match(text, intent, candidate_intents(text, intent, ranking, last_topic))


# When the NLU is unsure between topics (it asks back), an entry of its two likeliest topics that the
# matcher finds this clearly is answered instead: 「住院要住够三天才报销吗」 is torn between coverage and
# claims, but only one entry says whether a minimum stay exists.
UNSURE_ENTRY_MIN_PROBABILITY = 0.45
UNSURE_TOPICS = 2


def entry_when_unsure(text: str, ranking: list[dict]) -> FaqMatch | None:
    """A clear FAQ entry for a message the NLU could not place, or None (then it asks back)."""
    exact = exact_match(text)
    if exact is not None:
        return exact
    topics = [r["name"] for r in ranking if r.get("name") not in ("nlu_fallback", "out_of_scope")][:UNSURE_TOPICS]
    return _matcher.best(text, topics, min_probability=UNSURE_ENTRY_MIN_PROBABILITY)


def _remembered_question(intent: str, tracker: Tracker) -> SlotSet:
    message = tracker.latest_message
    facts = [{"entity": e.get("entity"), "value": e.get("value")} for e in message.get("entities", [])
             if e.get("entity") in FACT_ENTITIES]
    return SlotSet(QUESTION_SLOT, json.dumps({"intent": intent, "text": message.get("text") or "",
                                              "entities": facts}, ensure_ascii=False))


def _last_computed(tracker: Tracker, topic: str) -> Tracker:
    """A tracker whose latest message is the last computed question of this topic (for 「详细」), or the
    tracker itself when there is none (the topic's overview is computed)."""
    raw = tracker.get_slot(QUESTION_SLOT)
    last = json.loads(raw) if raw else None
    if not last or last.get("intent") != topic:
        return tracker
    recalled = tracker.copy()
    recalled.latest_message = {**tracker.latest_message, "text": last["text"], "entities": last["entities"],
                               "intent": {"name": topic, "confidence": 1.0}}
    return recalled


def refined_tracker(tracker: Tracker) -> tuple[str, Tracker] | None:
    """A short message that only adds facts to the last computed question: (its intent, a tracker
    whose latest message is that question with the new facts in place of the old ones)."""
    raw = tracker.get_slot(QUESTION_SLOT)
    text = (tracker.latest_message.get("text") or "").strip()
    if not raw or len(text) > REFINEMENT_MAX_CHARS:
        return None
    new_facts = [{"entity": e.get("entity"), "value": e.get("value")}
                 for e in tracker.latest_message.get("entities", []) if e.get("entity") in FACT_ENTITIES]
    if not new_facts and not CARE_PLACE_WORDS.search(text):
        return None
    last = json.loads(raw)
    replaced = {fact["entity"] for fact in new_facts}
    facts = [fact for fact in last["entities"] if fact["entity"] not in replaced] + new_facts
    refined = tracker.copy()
    refined.latest_message = {**tracker.latest_message, "text": f"{last['text']}，{text}", "entities": facts,
                              "intent": {"name": last["intent"], "confidence": 1.0}}
    return last["intent"], refined


def _has_facts_to_compute(tracker: Tracker) -> bool:
    return any(e.get("entity") in COMPUTING_ENTITIES for e in tracker.latest_message.get("entities", []))


class ActionAnswer(Action):
    """A verified person's computing question (「我的医保断缴了」) is answered from their records."""

    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        intent = _intent(tracker)
        text = tracker.latest_message.get("text") or ""
        redirect = redirect_regardless_of_topic(text)
        if redirect:
            dispatcher.utter_message(response=redirect)
            return [SlotSet(FAQ_SLOT, None)]
        if intent in DRUG_INTENTS and self._answer_drug(dispatcher, text):
            return [SlotSet(FAQ_SLOT, None), SlotSet(TOPIC_SLOT, intent)]
        refinement = refined_tracker(tracker)
        if refinement is not None and refinement[0] in COMPUTING_ACTIONS:
            return await compute(refinement[0], dispatcher, refinement[1], domain)
        computing = COMPUTING_ACTIONS.get(intent)
        match = choose_entry(text, intent, tracker.latest_message.get("intent_ranking", []),
                             tracker.get_slot(TOPIC_SLOT))
        if match is not None and not match.exact and names_only_a_topic(text):
            match = None  # 「咨询下生育的问题」: the topic's questions to pick from, not one guessed entry
        if is_short_follow_up(tracker) and (match is None and intent == tracker.get_slot(TOPIC_SLOT)
                                            or match is not None and match.entry.key == tracker.get_slot(FAQ_SLOT)):
            # 「能补吗」「要带什么」 about the answer just given, matching nothing else: its details say it
            return await ActionAnswerDetails().run(dispatcher, tracker, domain)
        if match is not None and match.exact:  # an exact question: never computed over
            return [*reply_with_entry(dispatcher, match.entry.key, tracker), SlotSet(TOPIC_SLOT, match.entry.intent)]
        if computing and match is not None and match.entry.intent == intent and (
                _has_facts_to_compute(tracker) or tracker.get_slot("person_ref")):
            return await compute(intent, dispatcher, tracker, domain)
        if match is not None:  # an entry of this topic, or of the last or runner-up topic
            return [*reply_with_entry(dispatcher, match.entry.key, tracker), SlotSet(TOPIC_SLOT, match.entry.intent)]
        if computing and (_has_facts_to_compute(tracker) or tracker.get_slot("person_ref")):
            return await compute(intent, dispatcher, tracker, domain)
        self._offer_topic(dispatcher, text, intent)
        return [SlotSet(FAQ_SLOT, None), SlotSet(TOPIC_SLOT, intent)]


    @staticmethod
    def _offer_topic(dispatcher: CollectingDispatcher, text: str, intent: str) -> None:
        """Nothing specific matched: the topic's closest questions as numbered options (short), the
        general answer only on 「详细」."""
        options = [m.entry for m in _matcher.ranked(text, [intent])]
        if len(options) < 2:
            if intent in GENERAL_ANSWER_INTENTS:
                dispatcher.utter_message(response=f"utter_{intent}")
            else:
                dispatcher.utter_message(response="utter_default")
            return
        dispatcher.utter_message(response="utter_topic_options", topic=INTENT_LABELS.get(intent, "这个问题"),
                                 buttons=topic_option_buttons(options))

    @staticmethod
    def _answer_drug(dispatcher: CollectingDispatcher, text: str) -> bool:
        """A named medicine: its class from the catalogue, or that it was not found. Never a guess."""
        drug = find_drug(text)
        if drug is not None:
            dispatcher.utter_message(text=f"{drug.text()}\n依据：{DOCUMENT}", buttons=next_step_buttons()[1:])
            return True
        if mentions_a_drug(text) and _matcher.best(text, ["coverage_scope"], DRUG_QUESTION_ENTRY_MIN) is None:
            dispatcher.utter_message(response="utter_drug_not_found")
            return True
        return False


class ActionAnswerDetails(Action):
    """「详细」: the last FAQ answer in full, with its source."""

    def name(self) -> str:
        return "action_answer_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        entry = _knowledge.by_key(tracker.get_slot(FAQ_SLOT) or "")
        topic = tracker.get_slot(TOPIC_SLOT)
        if entry is None and topic in GENERAL_ANSWER_INTENTS:
            dispatcher.utter_message(response=f"utter_{topic}")  # the topic's general answer
            return []
        if entry is None and topic in COMPUTING_ACTIONS:  # the last computed answer in full
            with detailed_replies():
                return await COMPUTING_ACTIONS[topic].run(dispatcher, _last_computed(tracker, topic), domain)
        if entry is None:
            dispatcher.utter_message(response="utter_no_details")
            return []
        dispatcher.utter_message(text=details_reply(_knowledge.answer(entry, detailed=True)))
        return []


async def compute(intent: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
    """The intent's computing action, remembering the question so later facts can refine it."""
    events = await COMPUTING_ACTIONS[intent].run(dispatcher, tracker, domain)
    return [*events, SlotSet(FAQ_SLOT, None), SlotSet(TOPIC_SLOT, intent), _remembered_question(intent, tracker)]


def is_short_follow_up(tracker: Tracker) -> bool:
    """A short message right after a FAQ answer (「要带什么」「能补吗」), which may be about that answer."""
    text = (tracker.latest_message.get("text") or "").strip()
    return bool(tracker.get_slot(FAQ_SLOT)) and len(text) <= FOLLOW_UP_MAX_CHARS and not _matcher.exact(text)


def answer_follow_up(tracker: Tracker) -> str | None:
    """An elliptical follow-up (「要带什么」「要多久」) answered within the last topic, or None."""
    topic = tracker.get_slot(TOPIC_SLOT)
    text = tracker.latest_message.get("text") or ""
    if not topic or len(text.strip()) > FOLLOW_UP_MAX_CHARS:
        return None
    match = _matcher.best(text, [topic])
    return match.entry.key if match else None


def _place_named(tracker: Tracker) -> str | None:
    """The region the latest message names (石家庄 → 石家庄市), for the way to its local figure."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "region":
            region = canonical_region(str(entity.get("value") or ""))
            if region is not None:
                return region.name
    return None


def reply_with_entry(dispatcher: CollectingDispatcher, key: str, tracker: Tracker) -> list[EventType]:
    """The entry's first reply; a place the message names is named in the way to its local figure."""
    answer = _knowledge.answer(_knowledge.by_key(key), place=_place_named(tracker))
    dispatcher.utter_message(text=first_reply(answer), buttons=next_step_buttons())
    return [SlotSet(FAQ_SLOT, key)]
