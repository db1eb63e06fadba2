"""Policy rules for 医保助手: pure functions over records and data/policies/*.yml (no Rasa import).

Public API (see docs/rules.md):
    lapse_from_months, lapse_from_length       断缴状态、补缴、等待期
    check_transfer, TransferCase, transfer_eta 转移接续资格、步骤、材料、工作日时限
    estimate_reimbursement, ReimbursementQuery 报销估算（分项、区间）
    employer_arrears                           单位欠缴滞纳金与投诉路径
    claim_materials, transfer_materials        材料清单
    load_policies, resolve_region              政策数据与地区回退
"""

from bot.rules.arrears import employer_arrears
from bot.rules.common import RuleInputError
from bot.rules.lapse import lapse_from_length, lapse_from_months
from bot.rules.materials import claim_materials, transfer_materials
from bot.rules.parsing import (
    normalise_hospital_level,
    normalise_insurance_type,
    parse_amount,
    parse_duration_months,
)
from bot.rules.policies import PolicyDataError, load_policies
from bot.rules.regions import resolve_region
from bot.rules.reimbursement import ReimbursementQuery, estimate_reimbursement
from bot.rules.results import REGIONAL_CAVEAT
from bot.rules.transfer import TransferCase, check_transfer, transfer_eta

__all__ = [
    "REGIONAL_CAVEAT", "PolicyDataError", "ReimbursementQuery", "RuleInputError", "TransferCase",
    "check_transfer", "claim_materials", "employer_arrears", "estimate_reimbursement", "lapse_from_length",
    "lapse_from_months", "load_policies", "normalise_hospital_level", "normalise_insurance_type",
    "parse_amount", "parse_duration_months", "resolve_region", "transfer_eta", "transfer_materials",
]
