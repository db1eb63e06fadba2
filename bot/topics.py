"""Short Chinese names of the intents for menus and clarifying questions, and which service to name
when a question is not about 医保."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

REDIRECTS_FILE = Path(__file__).resolve().parents[1] / "data" / "redirects.yml"
# An out_of_scope prediction below this confidence is not trusted enough to turn the person away:
# the assistant asks back with its best 医保 topics instead (tuned on tests/nlu/real, bench/nlu_eval).
OUT_OF_SCOPE_MIN_CONFIDENCE = 0.6
CLARIFY_OPTIONS = 3

INTENT_LABELS: dict[str, str] = {
    "query_balance": "查询个人账户余额",
    "account_usage": "个人账户怎么用",
    "query_payment_records": "查询缴费记录",
    "lapse": "断缴和补缴",
    "enrollment": "怎么参保缴费",
    "insurance_types": "医保有哪些种类",
    "query_insured_location": "查询参保地",
    "transfer": "医保关系转移接续",
    "remote_care": "异地就医和备案",
    "chronic_disease": "门诊慢特病",
    "query_consumption": "查询消费明细",
    "claim_process": "报销流程和材料",
    "reimbursement_rate": "报销比例和能报多少",
    "coverage_scope": "哪些药品项目能报",
    "card_service": "医保卡（社保卡）办理",
    "e_voucher": "医保电子凭证",
    "query_channels": "查询和咨询渠道",
    "family_account": "家庭共济和亲情账户",
    "designated_institution": "定点医院和药店",
    "employer_arrears": "单位欠缴医保",
    "maternity": "生育保险和生育津贴",
    "retirement": "退休医保和缴费年限",
    "human_handoff": "转人工服务",
    "help": "查看功能菜单",
    "provide_identity": "验证身份",
    "unbind": "解除绑定",
}

# Conversation intents are never offered as a guess: a clarifying question about "greet" helps nobody.
NOT_OFFERED = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope", "nlu_fallback"})


def top_topics(intent_ranking: list[dict], count: int = CLARIFY_OPTIONS) -> list[str]:
    """The most likely domain intents from an NLU ranking, best first."""
    names = [item.get("name") for item in intent_ranking]
    return [name for name in names if name in INTENT_LABELS and name not in NOT_OFFERED][:count]


@lru_cache(maxsize=1)
def _redirect_data() -> dict:
    return yaml.safe_load(REDIRECTS_FILE.read_text(encoding="utf-8"))


def _redirects() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((response, tuple(words)) for response, words in _redirect_data()["redirects"].items())


def redirect_regardless_of_topic(text: str) -> str | None:
    """The redirect for a question that words such as 工伤 or 养老金 show belongs to another service,
    whatever else it says; None otherwise."""
    if not any(word in text for word in _redirect_data()["regardless_of_topic"]):
        return None
    return redirect_response(text)


def redirect_response(text: str) -> str | None:
    """The utter_redirect_* response naming the service for a non-医保 question, if a word shows it."""
    for response, words in _redirects():
        if any(word in text for word in words):
            return response
    return None


def out_of_scope_is_clear(intent_ranking: list[dict]) -> bool:
    """out_of_scope ranks first with enough confidence to refuse rather than ask back."""
    if not intent_ranking or intent_ranking[0].get("name") != "out_of_scope":
        return False
    return float(intent_ranking[0].get("confidence") or 0.0) >= OUT_OF_SCOPE_MIN_CONFIDENCE
