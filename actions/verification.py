"""Identity verification form, its outcome, and unbinding."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import asker, in_thread
from actions.personal import answer_personal
from bot import access
from bot.identity import person_from_token
from bot.privacy import mask_id, mask_name
from bot.records import verification
from bot.records.clock import now

FORM_SLOTS = ("person_name", "phone_last4", "id_number")
NAME = re.compile(r"^[\u4e00-\u9fa5·•A-Za-z]{2,20}$")
DIGITS = re.compile(r"\d")


def _last4(text: str) -> str | None:
    digits = "".join(DIGITS.findall(text or ""))
    return digits[-4:] if len(digits) in (4, 11) else None


class ValidateVerificationForm(FormValidationAction):
    """Checks each answer; verifies as soon as name, phone digits and ID number are all known."""

    def name(self) -> str:
        return "validate_verification_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        locked = await in_thread(access.locked_minutes, asker(tracker))
        return [] if locked else domain_slots

    def validate_person_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> dict:
        name = re.sub(r"^(我叫|我是|姓名[:：]?|名字[:：]?)", "", str(value or "").strip())
        if NAME.match(name):
            return {"person_name": name}
        dispatcher.utter_message(text="姓名格式不对，请输入身份证上的姓名（2-20个字）。")
        return {"person_name": None}

    def validate_phone_last4(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> dict:
        digits = _last4(str(value or ""))
        if digits:
            return {"phone_last4": digits}
        dispatcher.utter_message(text="请输入手机号的后4位数字，例如 5678。")
        return {"phone_last4": None}

    def validate_id_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> dict:
        # The form the verifier checks (NFKC, no spaces or dashes): the slot and the tracker store
        # then hold one spelling, the one redaction is sure to find.
        candidate = verification.normalise_id_number(str(value or ""))
        if "*" in candidate:  # a value from an earlier turn, already redacted by the tracker store
            return {"id_number": None}
        problem = verification.id_number_problem(candidate)
        if problem:
            dispatcher.utter_message(text=f"身份证号有误：{problem}请核对后重新输入18位身份证号。")
            return {"id_number": None}
        return {"id_number": candidate}

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        values = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        who = asker(tracker)
        if not all(values.values()) or person_from_token(who.token, who.who, now()) or "*" in values["id_number"]:
            return events
        outcome = await in_thread(access.verify, who, values["person_name"], values["id_number"],
                                  values["phone_last4"])
        if outcome.ok:
            return events + [SlotSet("person_ref", outcome.token),
                             SlotSet("id_number", mask_id(values["id_number"]))]
        # person_ref too: a token another conversation earned must not pass for this success
        cleared = [SlotSet(slot, None) for slot in (*FORM_SLOTS, "person_ref")]
        if outcome.status == "locked":  # the form ends; action_verification_done says for how long
            return events + cleared + [SlotSet("requested_slot", None)]
        dispatcher.utter_message(response="utter_verification_failed")
        if outcome.status == "invalid_id":
            dispatcher.utter_message(text=outcome.message)
        return events + cleared + [SlotSet("requested_slot", "person_name")]


class ActionVerificationDone(Action):
    """After the form: greet the verified person and answer the question they had asked."""

    def name(self) -> str:
        return "action_verification_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[EventType]:
        cleared = [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("verification_offered", False)]
        if not tracker.get_slot("person_ref"):
            minutes = await in_thread(access.locked_minutes, asker(tracker))
            dispatcher.utter_message(response="utter_verification_locked", minutes=minutes or verification.LOCK_MINUTES)
            return cleared + [SlotSet("pending_query", None)]
        dispatcher.utter_message(response="utter_verified", name=mask_name(tracker.get_slot("person_name") or ""))
        pending = tracker.get_slot("pending_query")
        if pending:
            await answer_personal(dispatcher, tracker, pending)
        return cleared + [SlotSet("pending_query", None)]


class ActionUnbind(Action):
    def name(self) -> str:
        return "action_unbind"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> list[EventType]:
        removed = await in_thread(access.unbind, asker(tracker))
        was_verified = bool(tracker.get_slot("person_ref"))
        dispatcher.utter_message(response="utter_unbound" if removed or was_verified else "utter_not_bound")
        return [SlotSet("person_ref", None), SlotSet("pending_query", None)]

