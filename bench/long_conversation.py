"""Does a message cost more when its user has a long history?

One WeChat user keeps one OpenID for years. This bench verifies one demo user, then sends the same
20-message cycle (FAQ questions and personal queries that hit the records database) over and over
through the REST channel of a real `rasa run` server, and compares the p50 of messages 1–20 with
the p50 of the last 20 messages. It runs with the embedded default (SQLite tracker store) and,
when a PostgreSQL URL is given, with the production tracker store; and once with continuation
sessions switched off (TRACKER_COMPACT_AFTER_EVENTS=0) to show the growth they remove.

    .venv/bin/python -m bench.long_conversation                    # 1,000 messages, SQLite
    .venv/bin/python -m bench.long_conversation --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.long_conversation --messages 200 --uncompacted 0   # quick look
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.assistant import ROOT, rasa_env, start_action_server, train_model
from tests.support.server import say, start_rasa_server, stop, write_endpoints

OUT = ROOT / "bench" / "out"
TARGET_RATIO = 1.5
VERIFICATION = ["验证身份", "张伟", "4567", "420102198506120310"]
CYCLE = [
    "医保卡丢了怎么办", "异地就医怎么备案", "我的医保余额还有多少", "门诊慢特病怎么申请",
    "电子凭证怎么激活", "报销需要什么材料", "我的缴费记录", "定点医院怎么查", "谢谢",
    "生孩子医保能报多少", "职工医保和居民医保有什么区别", "我的参保地在哪", "医保转移怎么办",
    "住院花了2万三级医院能报多少", "亲情账户怎么绑定", "怎么查医保消费记录", "你好",
    "单位欠缴医保怎么办", "退休了医保还要交吗", "医保个人账户能给家人用吗",
]


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A private database on the given server, dropped afterwards."""
    import sqlalchemy as sa

    name = f"yibao_long_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@contextmanager
def assistant(model: Path, folder: Path, tracker_url: str, compact_after: str | None) -> Iterator[str]:
    from bot.records.__main__ import migrate, seed

    records = f"sqlite:///{folder / 'records.db'}"
    migrate(records)
    seed(records)
    env = {"DATABASE_URL": records, "TRACKER_STORE_URL": tracker_url, "LOG_LEVEL": "WARNING"}
    if compact_after is not None:
        env["TRACKER_COMPACT_AFTER_EVENTS"] = compact_after
    actions, action_url = start_action_server(rasa_env(**env), folder / "actions.log")
    rasa, base = start_rasa_server(model, write_endpoints(folder / "endpoints.yml", action_url),
                                   folder / "rasa.log", **env)
    try:
        yield base
    finally:
        stop(rasa)
        stop(actions)


def run_one(model: Path, label: str, tracker_url: str, folder: Path, messages: int,
            compact_after: str | None) -> dict:
    sender = f"o-long-{uuid.uuid4().hex[:8]}"
    with assistant(model, folder, tracker_url, compact_after) as base:
        for text in VERIFICATION:
            reply, _ = say(base, sender, text)
        if "验证成功" not in reply:
            raise SystemExit(f"{label}: verification failed: {reply}")
        latencies, last_balance = [], ""
        for number in range(messages):
            text = CYCLE[number % len(CYCLE)]
            reply, seconds = say(base, sender, text)
            if not reply:
                raise SystemExit(f"{label}: message {number + 1} ({text}) got no reply")
            if text == "我的医保余额还有多少":
                last_balance = reply
            latencies.append(seconds * 1000)
    window = len(CYCLE)
    first, last = statistics.median(latencies[:window]), statistics.median(latencies[-window:])
    return {"label": label, "messages": messages, "first_p50_ms": round(first, 1), "last_p50_ms": round(last, 1),
            "ratio": round(last / first, 2), "still_verified": "元" in last_balance,
            "latencies_ms": [round(value, 2) for value in latencies]}


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 5))
    for result in results:
        values = result["latencies_ms"]
        smooth = [statistics.median(values[max(0, i - 10):i + 10]) for i in range(len(values))]
        axes.plot(range(1, len(values) + 1), smooth, label=result["label"])
    axes.set_xlabel("message number of one user")
    axes.set_ylabel("latency, ms (rolling median of 20)")
    axes.set_title("Latency against the length of one user's history")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--postgres", help="PostgreSQL server URL for the production tracker store")
    parser.add_argument("--uncompacted", type=int, default=300,
                        help="messages for the run without continuation sessions (0 skips it)")
    args = parser.parse_args()

    model = train_model.ensure_model()
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)

        def folder(name: str) -> Path:
            path = scratch_path / name
            path.mkdir()
            return path

        sqlite_folder = folder("sqlite")
        results.append(run_one(model, "SQLite tracker store (embedded default)",
                               f"sqlite:///{sqlite_folder / 'tracker.db'}", sqlite_folder, args.messages, None))
        if args.postgres:
            with postgres_database(args.postgres) as url:
                results.append(run_one(model, "PostgreSQL tracker store (production)", url, folder("pg"),
                                       args.messages, None))
        if args.uncompacted:
            off = folder("off")
            results.append(run_one(model, "SQLite, continuation sessions off", f"sqlite:///{off / 'tracker.db'}",
                                   off, args.uncompacted, "0"))

    print(f"\nOne user, {len(CYCLE)}-message cycle; p50 of the first and of the last {len(CYCLE)} messages")
    print(f"{'configuration':42} {'messages':>8} {'first p50':>10} {'last p50':>10} {'ratio':>6}  verified")
    for result in results:
        print(f"{result['label']:42} {result['messages']:>8} {result['first_p50_ms']:>8.1f}ms "
              f"{result['last_p50_ms']:>8.1f}ms {result['ratio']:>6.2f}  {'yes' if result['still_verified'] else 'NO'}")
    compacted = [r for r in results if "off" not in r["label"]]
    verdict = all(r["ratio"] <= TARGET_RATIO and r["still_verified"] for r in compacted)
    print(f"target: last ≤ {TARGET_RATIO}× first with verification kept — {'met' if verdict else 'NOT met'}")
    (OUT / "long_conversation.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    plot(results, OUT / "long_conversation.png")
    print(f"wrote {OUT / 'long_conversation.json'} and {OUT / 'long_conversation.png'}")


if __name__ == "__main__":
    main()
