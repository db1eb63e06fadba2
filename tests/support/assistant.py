"""Test harness: a trained model, a real action server and an in-process Rasa agent.

The model is trained once per test session (cached by a hash of its inputs); the action server
runs as a subprocess on a free port against a seeded SQLite records database, so conversation
tests exercise the same code path as `make serve`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import train_model  # noqa: E402


def copy_sqlite_database(url: str, target: Path) -> None:
    """A consistent copy of an SQLite database that other processes have open: in WAL mode recent
    commits may still be in the -wal file, which copying the main file would miss."""
    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90, poll: float = 0.3) -> None:
    """Waits until `url` answers; `poll` is fine-grained where a benchmark times the start."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(poll)
    raise TimeoutError(url)


def start_action_server(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(log_path, "w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("rasa")), "run", "actions", "--actions", "actions",
         "-p", str(port)],
        cwd=ROOT, env={**env, "SANIC_HOST": "127.0.0.1"}, stdout=log, stderr=subprocess.STDOUT,
    )
    wait_for(f"http://127.0.0.1:{port}/health", process)
    return process, f"http://127.0.0.1:{port}/webhook"


@dataclass
class Assistant:
    """Sends messages to an in-process agent; sync API so tests stay simple."""

    agent: object
    loop: asyncio.AbstractEventLoop
    counter: int = field(default=0)

    def send(self, text: str, sender_id: str = "tester", metadata: dict | None = None) -> list[dict]:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        output = CollectingOutputChannel()
        message = UserMessage(text, output, sender_id, input_channel="rest", metadata=metadata)
        self.loop.run_until_complete(self.agent.handle_message(message))
        return output.messages

    def texts(self, text: str, sender_id: str = "tester") -> str:
        return "\n".join(m.get("text", "") for m in self.send(text, sender_id))

    def tracker(self, sender_id: str):
        return self.loop.run_until_complete(self.agent.tracker_store.retrieve(sender_id))

    def new_sender(self, prefix: str = "user") -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}-{time.time_ns()}"


FACT_FILLING_NLG = "bot.replies.nlg.FactFillingNLG"  # as endpoints.yml's nlg


def load_assistant(model: Path, action_url: str, tracker_store) -> Assistant:
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from bot.action_auth import authorization_header

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    agent = Agent.load(str(model), tracker_store=tracker_store,
                       action_endpoint=EndpointConfig(url=action_url, enable_selective_domain=True,
                                                      headers=authorization_header()),
                       generator=EndpointConfig(type=FACT_FILLING_NLG))
    agent.tracker_store.domain = agent.domain
    return Assistant(agent=agent, loop=loop)


def rasa_env(**extra: str) -> dict[str, str]:
    env = train_model.rasa_env()
    env["REST_RATE_LIMIT_PER_MINUTE"] = "0"  # load tests and benches send far more from loopback
    env["ALLOW_UNAUTHENTICATED_API"] = "1"  # loopback test servers; make serve's own API needs a JWT
    env.update(extra)
    return env


__all__ = ["Assistant", "ROOT", "load_assistant", "rasa_env", "start_action_server", "train_model", "os"]
