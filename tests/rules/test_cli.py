"""The `python -m bot.rules` CLI prints computed answers ending with the source line."""

from __future__ import annotations

import subprocess
import sys

from bot.rules.__main__ import main, paid_months


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_lapse_by_months(capsys):
    code, out, _ = _run(capsys, "lapse", "--type", "居民", "--months", "14")
    assert code == 0 and "3–4个月" in out  # 14 months = 1 or 2 lapsed years (38号, counted N−1)
    assert out.rstrip().splitlines()[-1].startswith("依据：")


def test_lapse_switch_after_one_year_is_not_covered_by_rule_two(capsys):
    code, out, _ = _run(capsys, "lapse", "--type", "职工", "--months", "2", "--change", "职工居民互转",
                        "--insured-months", "12")
    assert code == 0 and "不足2年" in out and "补缴≠补报" not in out


def test_reimburse_example(capsys):
    code, out, _ = _run(capsys, "reimburse", "--amount", "2万", "--level", "三级")
    assert code == 0 and "12320.00–15200.00元" in out and "各地政策可能不同" in out


def test_transfer_eta(capsys):
    code, out, _ = _run(capsys, "transfer", "--date", "2026-09-28", "--old-stopped", "是",
                        "--new-active", "yes", "--new-paid", "yes", "--region", "武汉")
    assert code == 0 and "预计2026年10月16日前完成转出" in out


def test_arrears_and_materials(capsys):
    assert "150.00元" in _run(capsys, "arrears", "--amount", "10000", "--since", "2025-01-01",
                              "--until", "2025-01-31")[1]
    assert "监护人身份证件" in _run(capsys, "materials", "--case", "住院", "--relation", "孩子")[1]


def test_user_errors_exit_2_with_a_chinese_message(capsys):
    code, _, err = _run(capsys, "lapse", "--type", "商业", "--months", "3")
    assert code == 2 and "错误：" in err


def test_paid_month_ranges():
    assert len(paid_months("2023-01:2024-10,2025-03")) == 23


def test_module_runs_as_a_script():
    done = subprocess.run([sys.executable, "-m", "bot.rules", "check-data"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and "policy data OK" in done.stdout
