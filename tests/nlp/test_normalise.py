"""Text normalisation before NLU: what people type becomes what the model was trained on."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.normalise import MASKED_PLACE, TextNormaliser, load_lexicon
from bot.nlp.normaliser_component import TextNormaliserComponent


@pytest.fixture(scope="module")
def normaliser() -> TextNormaliser:
    return TextNormaliser()


@pytest.mark.parametrize(("typed", "normalised"), [
    ("我的醫保斷繳了怎麼辦？", "我的医保断缴了怎么办?"),  # traditional, full-width question mark
    ("身份证４２０１０６１９９２０２１８０５２Ｘ", "身份证42010619920218052X"),  # full-width digits and X
    ("新农合每年几月交", "居民医保每年几月交"),
    ("农村合作医疗是几月份开始交费", "居民医保是几月份开始交费"),
    ("生育险怎么报消", "生育保险怎么报销"),
    ("生份证丢了能办医保卡吗", "身份证丢了能办医保卡吗"),
    ("城镇职工基本医疗保险断了", "职工医保断了"),
    ("广*的医保到深*能不能用", f"{MASKED_PLACE}的医保到{MASKED_PLACE}能不能用"),
    ("医保   怎么  交", "医保 怎么 交"),
])
def test_what_people_type_is_normalised(normaliser, typed, normalised) -> None:
    assert normaliser(typed) == normalised


def test_masked_phone_numbers_and_plain_text_are_left_alone(normaliser) -> None:
    assert normaliser("手机138****1234") == "手机138****1234"
    assert normaliser("我的医保余额还有多少") == "我的医保余额还有多少"


def test_a_full_width_slash_stays_so_text_never_becomes_an_intent_command(normaliser) -> None:
    assert normaliser("／restart") == "／restart"


def test_longest_variant_wins(normaliser) -> None:
    assert normaliser("新型农村合作医疗") == "居民医保"  # not 新型农村 + 居民医保


def test_span_mapping_follows_replacements(normaliser) -> None:
    text = "我在广州交新农合"
    result = normaliser.normalise(text)
    assert result.text == "我在广州交居民医保"
    assert result.text[slice(*result.map_span(2, 4))] == "广州"
    assert result.text[slice(*result.map_span(5, 8))] == "居民医保"


def test_lexicon_rejects_a_variant_with_two_meanings(tmp_path) -> None:
    (tmp_path / "a.yml").write_text("replacements:\n  居民医保: [农合]\n  职工医保: [农合]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="农合"):
        load_lexicon(tmp_path)


def test_component_moves_entity_spans_of_training_examples() -> None:
    component = TextNormaliserComponent(TextNormaliser())
    message = Message(data={TEXT: "在廣州交新农合怎么报", "intent": "claim_process",
                            ENTITIES: [{"entity": "region", "value": "广州", "start": 1, "end": 3},
                                       {"entity": "insurance_type", "value": "居民", "start": 4, "end": 7}]})
    component.process_training_data(TrainingData([message]))
    assert message.get(TEXT) == "在广州交居民医保怎么报"
    spans = [message.get(TEXT)[e["start"]:e["end"]] for e in message.get(ENTITIES)]
    assert spans == ["广州", "居民医保"]


def test_component_normalises_messages_at_parse_time() -> None:
    component = TextNormaliserComponent(TextNormaliser())
    message = Message(data={TEXT: "合作醫療異地就醫怎么备案"})
    component.process([message])
    assert message.get(TEXT) == "居民医保异地就医怎么备案"
