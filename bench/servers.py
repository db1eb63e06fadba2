"""Start and stop the servers a benchmark drives: action server + `rasa run`, on free loopback ports.

Every stack gets its own directory under bench/out/ with a freshly migrated and seeded SQLite
records database and an empty SQLite tracker store, so runs never see each other's conversations
(or the developer's var/ databases). Server output goes to log files in that directory; the
benchmark reads peak RSS from /proc and times the cold start from `Popen` to the first answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.assistant import free_port, rasa_env, wait_for
from tests.support.server import stop, write_endpoints

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RASA = str(Path(sys.executable).with_name("rasa"))










def first_answer(base_url: str, process: subprocess.Popen, seconds: float = 300) -> None:
    """Polls the REST channel until a real message gets a bot answer (the model is loaded)."""
    body = json.dumps({"sender": f"bench-coldstart-{time.time_ns()}", "message": "你好"}).encode()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rasa server exited with {process.returncode} before answering")
        request = urllib.request.Request(f"{base_url}/webhooks/rest/webhook", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                if reply.status == 200 and json.loads(reply.read()):
                    return
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{base_url} gave no answer within {seconds} s")


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident set size (VmHWM) of one live process, in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """Direct and indirect children (Sanic workers run as child processes when SANIC_WORKERS > 1)."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        try:
            tasks = Path(f"/proc/{parent}/task").iterdir()
            for task in tasks:
                kids = (task / "children").read_text().split()
                found += [int(k) for k in kids]
                frontier += [int(k) for k in kids]
        except OSError:
            continue
    return found




def prepare_records(workdir: Path) -> str:
    """A fresh records database: Alembic migration + demo personas (same as `make db`)."""
    path = workdir / "records.db"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    for command in ("migrate", "seed"):
        subprocess.run([sys.executable, "-m", "bot.records", command, "--url", url], cwd=ROOT,
                       env=rasa_env(DATABASE_URL=url), check=True, stdout=subprocess.DEVNULL)
    return url


@dataclass
class Stack:
    """A running action server + Rasa server pair and what it cost to start them."""

    name: str
    workdir: Path
    rasa_url: str
    action_url: str
    rasa: subprocess.Popen
    actions: subprocess.Popen
    cold_start_s: float
    action_start_s: float
    env: dict[str, str] = field(default_factory=dict)

    def peak_rss(self) -> dict[str, float | None]:
        """VmHWM of each server process (and of Sanic worker children, if any)."""
        report: dict[str, float | None] = {}
        for label, process in (("rasa", self.rasa), ("actions", self.actions)):
            report[label] = peak_rss_mb(process.pid)
            for index, child in enumerate(children_of(process.pid)):
                report[f"{label}_child{index}"] = peak_rss_mb(child)
        return report

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the Rasa server and the action server (workers included).

        Unlike latency, CPU per message hardly changes when other jobs share the machine."""
        return {label: sum(cpu_seconds(pid) for pid in (process.pid, *children_of(process.pid)))
                for label, process in (("rasa", self.rasa), ("actions", self.actions))}

    def close(self) -> None:
        stop(self.rasa)
        stop(self.actions)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def start_stack(name: str, model: Path, *, extra_env: dict[str, str] | None = None,
                rasa_workers: int = 1, redis_url: str | None = None,
                log_level: str | None = None, profile: bool = False) -> Stack:
    """Starts a fresh stack; `cold_start_s` is `rasa run` Popen → first answered REST message.

    profile=True runs both servers under cProfile (stats written to the workdir when they stop)."""
    workdir = OUT / "run" / f"{name}-{time.strftime('%H%M%S')}-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    records_url = prepare_records(workdir)
    tracker_path = workdir / "tracker.db"
    env = rasa_env(DATABASE_URL=records_url, TRACKER_STORE_URL=f"sqlite:///{tracker_path}",
                   **(extra_env or {}))

    def profiled(command: list[str], label: str) -> list[str]:
        return [sys.executable, "-m", "cProfile", "-o", str(workdir / f"{label}.prof"), *command] if profile else command

    action_port = free_port()
    started = time.monotonic()
    actions = subprocess.Popen(
        profiled([RASA, "run", "actions", "--actions", "actions", "-p", str(action_port)], "actions"),
        cwd=ROOT, env={**env, "SANIC_HOST": "127.0.0.1"},
        stdout=open(workdir / "actions.log", "w"), stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, 120, poll=0.05)
    except Exception:
        stop(actions)
        raise
    action_start = time.monotonic() - started
    action_url = f"http://127.0.0.1:{action_port}/webhook"

    endpoints = write_endpoints(workdir / "endpoints.yml", action_url,
                                redis_url if rasa_workers > 1 else None)
    rasa_port = free_port()
    server_env = {**env, "SANIC_WORKERS": str(rasa_workers)}
    command = [RASA, "run", "-m", str(model), "-i", "127.0.0.1", "-p", str(rasa_port),
               "--credentials", "credentials.yml", "--endpoints", str(endpoints)]
    if log_level:
        command += [f"--{log_level}"] if log_level in ("quiet", "verbose", "debug") else []
    started = time.monotonic()
    rasa = subprocess.Popen(profiled(command, "rasa"), cwd=ROOT, env=server_env,
                            stdout=open(workdir / "rasa.log", "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{rasa_port}"
    try:
        first_answer(base, rasa)
    except Exception:
        stop(rasa)
        stop(actions)
        raise
    cold = time.monotonic() - started
    return Stack(name=name, workdir=workdir, rasa_url=base, action_url=action_url, rasa=rasa,
                 actions=actions, cold_start_s=cold, action_start_s=action_start, env=server_env)
