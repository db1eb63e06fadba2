"""Soak: many simulated users hold multi-turn conversations on the REST channel for a long time.

    .venv/bin/python -m bench.soak                         # the issue's run: 200 users, 10 minutes
    .venv/bin/python -m bench.soak --users 20 --minutes 1  # a quick look
    .venv/bin/python -m bench.soak --url http://127.0.0.1:5005 --tracker-db var/tracker.db

Without --url it starts a private action server + `rasa run` (bench/servers.py: fresh SQLite records
and tracker databases under bench/out/run/), so a soak never touches anyone's conversations.

What must hold, checked after the run (tests/test_soak.py runs the same core for ~40 s in CI):
- every user message got exactly one HTTP answer: 200 with a non-empty list of messages (0 × 5xx,
  0 transport errors, 0 timeouts);
- the tracker store holds every user message exactly once, in the order it was sent, and each one
  is followed by at least one bot utterance (no lost, duplicated or reordered turns).

The tracker is read through Rasa's HTTP API (GET /conversations/<id>/tracker; needs --enable-api),
and, when the store is a SQLite file we know, straight from its `events` table as well, because
the API could hide a duplicate row that the store really holds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bot.channels.rest import clean_text
from bot.channels.silence import BUSY_TEXT
from bot.privacy import redact_text
from bot.runtime.tracker_store import CARRIED_OVER_KEY

# 张伟, the demo persona of README.md: name, last 4 phone digits, ID number (in the form's order).
VERIFY_TURNS = ("张伟", "4567", "420102198506120310")

# Conversations a 医保 user really has; a user runs them in random order until time is up.
SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("你好", "我的医保断缴了怎么办", "异地就医怎么备案", "谢谢"),
    ("医保卡丢了怎么办", "门诊慢特病怎么申请", "住院花了2万三级医院能报多少"),
    ("我的医保余额还有多少", "好的", *VERIFY_TURNS, "查一下我的缴费记录", "我的参保地在哪"),
    ("验证身份", *VERIFY_TURNS, "我的医保余额还有多少", "我职工医保断了4个月"),
)
REQUEST_TIMEOUT_S = 60.0


@dataclass
class SoakResult:
    users: int
    seconds: float
    messages: int = 0  # user messages sent
    replies: int = 0  # 200 answers holding a non-empty list of messages
    verified: int = 0  # answers saying 验证成功: verification against the records store went through
    busy: int = 0  # answers that are the channel's 「系统繁忙」 in place of a turn Rasa ended silently
    status_5xx: int = 0
    errors: list[str] = field(default_factory=list)  # any answer that is not a good reply set
    latencies_ms: list[float] = field(default_factory=list)
    sent: dict[str, list[str]] = field(default_factory=dict)  # sender -> texts in sending order
    tracker_problems: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]

    @property
    def ok(self) -> bool:
        return (not self.errors and not self.status_5xx and not self.tracker_problems
                and self.replies == self.messages > 0)

    def summary(self) -> str:
        rate = self.messages / self.seconds if self.seconds else 0.0
        return (f"soak: {self.users} users, {self.seconds:.1f} s, messages {self.messages}, "
                f"replies {self.replies}, verified {self.verified}, busy {self.busy}, errors {len(self.errors)}, 5xx {self.status_5xx}, "
                f"{rate:.1f} msg/s, p50 {self.percentile(50):.0f} ms, p99 {self.percentile(99):.0f} ms, "
                f"max {max(self.latencies_ms, default=0):.0f} ms, tracker problems {len(self.tracker_problems)}")


def stored_form(text: str) -> str:
    """How a sent message must look in the tracker store: cleaned like the channel, then redacted."""
    return redact_text(clean_text(text))


async def _say(session: aiohttp.ClientSession, base: str, sender: str, text: str,
               result: SoakResult) -> None:
    result.sent.setdefault(sender, []).append(text)
    result.messages += 1
    started = time.monotonic()
    try:
        async with session.post(f"{base}/webhooks/rest/webhook",
                                json={"sender": sender, "message": text}) as answer:
            body = await answer.read()
            status = answer.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        result.errors.append(f"{sender}: {type(error).__name__}")
        return
    result.latencies_ms.append((time.monotonic() - started) * 1000)
    if status >= 500:
        result.status_5xx += 1
    try:
        messages = json.loads(body) if status == 200 else None
    except ValueError:
        messages = None
    if not (isinstance(messages, list) and messages
            and all(isinstance(m, dict) and (m.get("text") or m.get("buttons")) for m in messages)):
        result.errors.append(f"{sender}: HTTP {status} {body[:120]!r}")
        return
    result.replies += 1
    if any("验证成功" in (m.get("text") or "") for m in messages):
        result.verified += 1
    if any(m.get("text") == BUSY_TEXT for m in messages):
        result.busy += 1


async def _user(session: aiohttp.ClientSession, base: str, sender: str, deadline: float,
                think_s: tuple[float, float], rng: random.Random, result: SoakResult) -> None:
    # Users start spread over the first think interval, as real users do not all arrive at once.
    await asyncio.sleep(rng.uniform(0, think_s[1]))
    while time.monotonic() < deadline:
        for text in rng.choice(SCRIPTS):
            if time.monotonic() >= deadline:
                return
            await _say(session, base, sender, text, result)
            await asyncio.sleep(rng.uniform(*think_s))


async def drive(base: str, users: int, seconds: float, think_s: tuple[float, float] = (0.5, 2.0),
                seed: int = 6, prefix: str = "soak") -> SoakResult:
    """Runs `users` concurrent conversations for `seconds` (each finishes its current reply)."""
    rng = random.Random(seed)
    run = f"{prefix}-{time.strftime('%H%M%S')}-{rng.randrange(10**6):06d}"
    result = SoakResult(users=users, seconds=0.0)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(
            _user(session, base, f"{run}-u{index:04d}", started + seconds, think_s,
                  random.Random(rng.random()), result)
            for index in range(users)))
    result.seconds = time.monotonic() - started
    return result


def _turn_problems(sender: str, events: Sequence[dict], sent: Sequence[str]) -> list[str]:
    """Compares one sender's stored events with what was sent (order, count, a bot answer each).

    A continuation session (bot/runtime/tracker_store.py) starts with a marked copy of the last turn so the
    policies still see it; such a copy is not a second message and is left out.
    """
    problems: list[str] = []
    events = [e for e in events if not (e.get("metadata") or {}).get(CARRIED_OVER_KEY)]
    user_texts = [e.get("text") for e in events if e.get("event") == "user"]
    expected = [stored_form(t) for t in sent]
    if user_texts != expected:
        problems.append(f"{sender}: stored {len(user_texts)} user messages, sent {len(expected)}; "
                        f"first difference at {_first_difference(user_texts, expected)}")
    answered, waiting = 0, False
    for event in events:
        if event.get("event") == "user":
            waiting = True
        elif event.get("event") == "bot" and waiting:
            answered, waiting = answered + 1, False
    if answered != len(user_texts):
        problems.append(f"{sender}: {len(user_texts) - answered} stored user messages have no bot answer")
    return problems


def _first_difference(a: Sequence, b: Sequence) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


async def check_trackers_http(base: str, result: SoakResult, parallel: int = 8) -> None:
    """GET /conversations/<id>/tracker for every simulated user and checks its turns."""
    gate = asyncio.Semaphore(parallel)
    timeout = aiohttp.ClientTimeout(total=120)

    async def one(session: aiohttp.ClientSession, sender: str, sent: list[str]) -> None:
        # the REST channel names the conversation "rest:<sender>" (bot/identity.py)
        async with gate, session.get(f"{base}/conversations/rest:{sender}/tracker") as answer:
            if answer.status != 200:
                result.tracker_problems.append(f"{sender}: GET tracker answered {answer.status}")
                return
            events = (await answer.json())["events"]
        result.tracker_problems.extend(_turn_problems(sender, events, sent))

    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(one(session, s, sent) for s, sent in result.sent.items()))


def check_tracker_db(path: Path, result: SoakResult) -> None:
    """Reads the SQLite tracker store's rows directly (Rasa's SQLTrackerStore `events` table)."""
    events: dict[str, list[dict]] = {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        # Rasa reads a conversation ordered by timestamp (continuation heads are appended later
        # with earlier timestamps), so the rows are compared in that order.
        for sender, data in db.execute("select sender_id, data from events order by timestamp, id"):
            sender = sender.removeprefix("rest:")
            if sender in result.sent:
                events.setdefault(sender, []).append(json.loads(data))
    for sender, sent in result.sent.items():
        result.tracker_problems.extend(f"db {p}" for p in _turn_problems(sender, events.get(sender, []), sent))


def _grouped(problems: list[str], examples: int = 3) -> list[str]:
    """Problems counted by kind (the text after the sender, digits blanked), a few examples each."""
    import re
    from collections import Counter

    kinds = Counter(re.sub(r"\d+", "N", p.split(": ", 1)[-1]) for p in problems)
    lines = [f"{count} x {kind}" for kind, count in kinds.most_common(10)]
    return lines + problems[:examples]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN_S", "MAX_S"),
                        help="pause between a reply and the user's next message: reading the answer and "
                             "typing the next question (default 5 15, about 20 msg/s from 200 users)")
    parser.add_argument("--url", help="an already running `rasa run --enable-api` (default: start one)")
    parser.add_argument("--tracker-db", type=Path, help="its SQLite tracker store, to check the rows too")
    args = parser.parse_args(argv)

    stack = None
    base, tracker_db = args.url, args.tracker_db
    if not base:
        import sys

        from bench.servers import start_stack

        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
        import train_model

        stack = start_stack("soak", train_model.ensure_model())
        base, tracker_db = stack.rasa_url, stack.workdir / "tracker.db"
        # start_stack leaves out --enable-api (benchmarks measure the bare channel); the tracker
        # check needs the API, so the rows are read from the SQLite file instead.
        print(f"servers started in {stack.cold_start_s:.1f} s; logs in {stack.workdir}")
    try:
        result = asyncio.run(drive(base, args.users, args.minutes * 60, tuple(args.think)))
        if stack is None:
            asyncio.run(check_trackers_http(base, result))
        if tracker_db:
            check_tracker_db(tracker_db, result)
    finally:
        if stack is not None:
            stack.close()
    print(result.summary())
    for line in _grouped(result.errors + result.tracker_problems):
        print("  " + line)
    print("PASS" if result.ok else "FAIL")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
