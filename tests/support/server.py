"""A real `rasa run` server (HTTP channels from credentials.yml) for browser, WeChat and scale-out tests."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.assistant import ROOT, free_port, rasa_env, wait_for


def write_endpoints(path: Path, action_url: str, lock_store_redis: str | None = None) -> Path:
    """endpoints.yml as the project ships it (selective domain, the redacting SQL tracker store), with
    the atomic Redis lock store of endpoints.production.yml when several Sanic workers share a server."""
    from bot.action_auth import authorization_header

    lines = ["action_endpoint:", f"  url: \"{action_url}\"", "  enable_selective_domain: true",
             "  headers:", f"    Authorization: \"{authorization_header()['Authorization']}\"",
             "tracker_store:", "  type: bot.runtime.tracker_store.RedactingSQLTrackerStore",
             "nlg:", "  type: bot.replies.nlg.FactFillingNLG"]
    if lock_store_redis:
        host, port, db = _redis_parts(lock_store_redis)
        lines += ["lock_store:", "  type: bot.runtime.lock_store.AtomicRedisLockStore", f"  url: \"{host}\"",
                  f"  port: {port}", f"  db: {db}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _redis_parts(url: str) -> tuple[str, int, int]:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 6379, int((parsed.path or "/0").strip("/") or 0)


def start_rasa_server(model: Path, endpoints: Path, log_path: Path, **env: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(log_path, "w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("rasa")), "run", "-m", str(model), "--enable-api",
         "-i", "127.0.0.1", "-p", str(port), "--credentials", "credentials.yml", "--endpoints", str(endpoints)],
        cwd=ROOT, env=rasa_env(**env), stdout=log, stderr=subprocess.STDOUT,
    )
    wait_for(f"http://127.0.0.1:{port}/status", process, seconds=180)
    return process, f"http://127.0.0.1:{port}"


def say(base: str, sender: str, text: str, timeout: float = 60) -> tuple[str, float]:
    """One message through the REST channel: the joined reply texts and the seconds it took."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        assert reply.status == 200
        messages = json.load(reply)
    return "\n".join(m.get("text", "") for m in messages), time.perf_counter() - started


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
