"""Asyncio load client: simulated users running multi-turn 医保 conversations against one channel.

A user sends a message, waits for the whole reply, then sends the next one; users never pipeline.
Three ways to drive them:

- `sequential`: one conversation at a time (what a lone user sees: latency without queueing).
- `open_loop`: arrivals scheduled by the clock at a fixed offered rate. Each arrival goes to the
  user that has been idle longest, or to a new user when all are waiting for replies, so the rate
  stays what was offered however slow the server gets. Latency counts from the scheduled time,
  so a late client (or a full server) cannot hide queueing (no coordinated omission).
- `closed_loop`: N users, each sending as soon as its previous reply arrived (saturation).

An error is a non-200 answer, a transport failure, a timeout or an empty reply. A reply that lacks
the words a correct answer must contain is counted separately as `wrong` (the model misunderstood
or a conversation went off its script), so a fast but broken server cannot look good. A user whose
message failed stops its conversation (its next turn would be off script), so `wrong` is not
inflated by earlier errors; the server still processes a message the client gave up on.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import aiohttp
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Turn:
    text: str
    expect: tuple[str, ...] = ()  # every one of these must appear in the reply


@dataclass(frozen=True)
class Script:
    name: str
    turns: tuple[Turn, ...]


def demo_personas() -> list[dict]:
    data = yaml.safe_load((ROOT / "data/demo/personas.yml").read_text(encoding="utf-8"))
    return data["personas"]


def scripts() -> list[Script]:
    """The conversation mix: FAQ, verification then personal queries (database), small talk.

    Many simulated users verify as the same few demo people; each user has its own sender id.
    """
    people = {p["key"]: p for p in demo_personas()}
    zhang, sun = people["zhang_wei"], people["sun_li"]

    def verify(person: dict) -> tuple[Turn, ...]:
        return (Turn(person["name"], ("手机",)), Turn(person["phone"][-4:], ("身份证",)),
                Turn(person["id_number"], ("验证成功",)))

    return [
        Script("faq", (
            Turn("我的医保断缴了怎么办", ("补缴",)),
            Turn("异地就医怎么备案", ("备案",)),
            Turn("医保卡丢了怎么办", ("挂失",)),
            Turn("门诊慢特病怎么申请", ("慢特病",)),
        )),
        Script("offer_verify_balance", (
            Turn("查一下我的医保余额", ("验证身份",)),
            Turn("好的", ("姓名",)),
            *verify(zhang)[:2],
            Turn(zhang["id_number"], ("验证成功", "余额")),
            Turn("查一下我的缴费记录", ("年：",)),
            Turn("我的参保地在哪", ("参保地",)),
        )),
        Script("verify_then_queries", (
            Turn("你好"),
            Turn("验证身份", ("姓名",)),
            *verify(sun),
            Turn("我的医保余额还有多少", ("元",)),
            Turn("报销进度怎么样了"),
            Turn("谢谢"),
        )),
        Script("faq_mixed", (
            Turn("住院能报多少"),
            Turn("医保转移怎么办"),
            Turn("哪些医院可以用医保"),
            Turn("再见"),
        )),
    ]


class Transport(Protocol):
    name: str

    async def send(self, session: aiohttp.ClientSession, sender: str, text: str) -> str:
        """Sends one message, returns the reply text; raises on any failure."""


class TransportError(Exception):
    pass


@dataclass
class RestTransport:
    base_url: str
    name: str = "rest"

    async def send(self, session: aiohttp.ClientSession, sender: str, text: str) -> str:
        async with session.post(f"{self.base_url}/webhooks/rest/webhook",
                                json={"sender": sender, "message": text}) as reply:
            if reply.status != 200:
                raise TransportError(f"http {reply.status}")
            messages = await reply.json(content_type=None)
        texts = [m.get("text") or "" for m in messages if isinstance(m, dict)]
        if not any(texts):
            raise TransportError("empty reply")
        return "\n".join(texts)


@dataclass
class Sample:
    script: str
    turn: int
    latency_s: float
    ok: bool
    wrong: bool
    error: str | None
    started_at: float
    finished_at: float


@dataclass
class User:
    sender: str
    script: Script
    position: int = 0

    @property
    def done(self) -> bool:
        return self.position >= len(self.script.turns)


class UserFactory:
    """Hands out new users with distinct sender ids, cycling through the scripts."""

    def __init__(self, prefix: str, mix: Sequence[Script]) -> None:
        self.prefix = prefix
        self.mix = list(mix)
        self.counter = itertools.count()

    def new(self) -> User:
        n = next(self.counter)
        return User(f"{self.prefix}-{n}-{time.time_ns() % 10**9}", self.mix[n % len(self.mix)])


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    wrong_examples: list[str] = field(default_factory=list)
    completed_in_window: int | None = None  # closed loop: successes that finished inside the window

    async def turn(self, transport: Transport, session: aiohttp.ClientSession, user: User,
                   scheduled: float | None = None) -> Sample:
        """Sends the user's next message; latency counts from `scheduled` when given."""
        turn = user.script.turns[user.position]
        start = scheduled if scheduled is not None else time.perf_counter()
        error: str | None = None
        reply = ""
        try:
            reply = await asyncio.wait_for(transport.send(session, user.sender, turn.text), TIMEOUT_S)
        except asyncio.TimeoutError:
            error = "timeout"
        except Exception as failure:  # noqa: BLE001 - any failure is an error sample, never a crash
            error = f"{type(failure).__name__}: {failure}"[:120]
        end = time.perf_counter()
        wrong = error is None and not all(word in reply for word in turn.expect)
        if wrong and len(self.wrong_examples) < 8:
            self.wrong_examples.append(f"{user.script.name}#{user.position} {turn.text!r} -> {reply[:80]!r}")
        sample = Sample(user.script.name, user.position, end - start, error is None, wrong, error, start, end)
        self.samples.append(sample)
        user.position += 1
        return sample


def session_for(concurrency: int) -> aiohttp.ClientSession:
    # keepalive below Sanic's 5 s keep-alive timeout, so the client never reuses a socket the
    # server is closing (which would look like a server error).
    connector = aiohttp.TCPConnector(limit=max(concurrency, 100), keepalive_timeout=3)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S + 5))


async def sequential(transport: Transport, conversations: int, prefix: str, warmup: int = 1,
                     mix: Sequence[Script] | None = None) -> Recorder:
    """(a) One conversation at a time; the first `warmup` conversations per script are not counted."""
    mix = list(mix or scripts())
    factory = UserFactory(prefix, mix)
    recorder = Recorder()
    async with session_for(1) as session:
        for _ in range(warmup * len(mix)):
            user = factory.new()
            while not user.done:
                await Recorder().turn(transport, session, user)
        for _ in range(conversations):
            user = factory.new()
            while not user.done and (await recorder.turn(transport, session, user)).ok:
                pass
    return recorder


async def open_loop(transport: Transport, rate: float, duration_s: float, prefix: str,
                    mix: Sequence[Script] | None = None) -> tuple[Recorder, int]:
    """(b) `rate` messages per second for `duration_s`; returns the samples and the users used."""
    factory = UserFactory(prefix, mix or scripts())
    recorder = Recorder()
    idle: deque[User] = deque()
    users = 0
    tasks: list[asyncio.Task] = []

    async def one(user: User, scheduled: float) -> None:
        sample = await recorder.turn(transport, session, user, scheduled)
        if sample.ok and not user.done:  # after an error the user gives up (it is off its script)
            idle.append(user)

    async with session_for(int(rate * 2)) as session:
        start = time.perf_counter() + 0.05
        for k in range(int(rate * duration_s)):
            scheduled = start + k / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if idle:
                user = idle.popleft()
            else:
                user = factory.new()
                users += 1
            tasks.append(asyncio.create_task(one(user, scheduled)))
        await asyncio.gather(*tasks)
    return recorder, users


async def closed_loop(transport: Transport, users: int, duration_s: float, prefix: str,
                      warmup_s: float = 2.0, mix: Sequence[Script] | None = None) -> tuple[Recorder, float]:
    """(c) `users` users back to back for `warmup_s` + `duration_s`.

    Returns the messages sent after the warm-up (all of them, however late they finished, so that
    errors and slow replies count) and the window length; the achieved throughput is the number
    of successful messages that finished inside the window divided by its length."""
    factory = UserFactory(prefix, mix or scripts())
    recorder = Recorder()
    stop_at = time.perf_counter() + warmup_s + duration_s

    async def run_user() -> None:
        user = factory.new()
        while time.perf_counter() < stop_at:
            if user.done:
                user = factory.new()
            if not (await recorder.turn(transport, session, user)).ok:
                user = factory.new()  # a user whose message failed gives up and someone else starts

    async with session_for(users) as session:
        window_start = time.perf_counter() + warmup_s
        await asyncio.gather(*(run_user() for _ in range(users)))
    recorder.samples = [s for s in recorder.samples if s.started_at >= window_start]
    recorder.completed_in_window = sum(s.ok and s.finished_at <= stop_at for s in recorder.samples)
    return recorder, stop_at - window_start


async def wait_until_idle(base_url: str, limit_s: float = 90.0) -> float:
    """Waits until the server has worked off what earlier phases queued (requests the client gave
    up on are still processed): `GET /` must answer within 50 ms three times in a row."""
    started = time.perf_counter()
    fast = 0
    async with session_for(1) as session:
        while fast < 3 and time.perf_counter() - started < limit_s:
            sent = time.perf_counter()
            try:
                async with session.get(f"{base_url}/") as reply:
                    await reply.read()
                fast = fast + 1 if time.perf_counter() - sent < 0.05 else 0
            except aiohttp.ClientError:
                fast = 0
            await asyncio.sleep(0.2)
    return time.perf_counter() - started


def summarise(recorder: Recorder, elapsed_s: float | None = None, offered: float | None = None) -> dict:
    """p50/p95/p99 (ms) over successful messages, plus counts and achieved throughput."""
    samples = recorder.samples
    good = np.array([s.latency_s for s in samples if s.ok]) * 1000
    errors = [s.error for s in samples if not s.ok]
    result: dict = {
        "messages": len(samples),
        "errors": len(errors),
        "wrong": sum(s.wrong for s in samples),
        "error_kinds": sorted(set(e for e in errors if e))[:5],
        "wrong_examples": recorder.wrong_examples[:4],
    }
    if len(good):
        result.update({f"p{q}_ms": round(float(np.percentile(good, q)), 1) for q in (50, 95, 99)})
        result.update(mean_ms=round(float(good.mean()), 1), max_ms=round(float(good.max()), 1))
    if elapsed_s:
        done = recorder.completed_in_window if recorder.completed_in_window is not None else len(good)
        result["throughput_msg_s"] = round(done / elapsed_s, 1)
    if offered is not None:
        result["offered_msg_s"] = offered
    return result


if __name__ == "__main__":  # quick manual check against a running server: one conversation per script
    import argparse

    parser = argparse.ArgumentParser(description="Send the benchmark conversations once and print the replies")
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:5005")
    args = parser.parse_args()

    async def show() -> None:
        transport = RestTransport(args.url)
        async with session_for(1) as session:
            for script in scripts():
                sender = f"bench-show-{time.time_ns()}"
                for turn in script.turns:
                    reply = await transport.send(session, sender, turn.text)
                    mark = "ok" if all(w in reply for w in turn.expect) else "WRONG"
                    print(json.dumps({"script": script.name, "text": turn.text, "check": mark,
                                      "reply": reply[:100]}, ensure_ascii=False))

    asyncio.run(show())
