"""Short Chinese names of the intents, for menus and「您是想问：A 还是 B？」questions."""

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


def top_topics(intent_ranking: list[dict], count: int = 2) -> list[str]:
    """The most likely domain intents from an NLU ranking, best first."""
    names = [item.get("name") for item in intent_ranking]
    return [name for name in names if name in INTENT_LABELS and name not in NOT_OFFERED][:count]
