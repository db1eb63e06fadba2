"""A Rasa server, an action server and a records database of their own, so the dashboard's numbers
are exactly what a test sent (the session-wide servers are shared with other tests)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from bot.ops import auth
from bot.records.__main__ import migrate, seed
from bot.records.db import session_scope
from tests.support.assistant import rasa_env, start_action_server
from tests.support.server import start_rasa_server, stop, write_endpoints

OPS_TOKEN = "ops-test-token-0123456789abcdef"
OPERATOR, PASSWORD = "审核员小王", "correct horse battery"


@dataclass
class OpsStack:
    url: str
    records_url: str
    export_dir: Path
    processes: list

    def close(self) -> None:
        for process in self.processes:
            stop(process)


def start_stack(model: Path, folder: Path) -> OpsStack:
    records_url = f"sqlite:///{folder / 'records.db'}"
    migrate(records_url)
    seed(records_url)
    with session_scope(records_url) as session:
        auth.add_operator(session, OPERATOR, PASSWORD)
    env = {"DATABASE_URL": records_url, "OPS_TOKEN": OPS_TOKEN, "OPS_EXPORT_DIR": str(folder / "review")}
    actions, action_url = start_action_server(rasa_env(**env), folder / "actions.log")
    endpoints = write_endpoints(folder / "endpoints.yml", action_url)
    rasa, url = start_rasa_server(model, endpoints, folder / "rasa.log",
                                  TRACKER_STORE_URL=f"sqlite:///{folder / 'tracker.db'}", **env)
    return OpsStack(url, records_url, folder / "review", [rasa, actions])


def rest(base: str, sender: str, text: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.load(reply)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    """GET without following redirects: (status, body, headers)."""
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPCookieProcessor(CookieJar()))
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as reply:
            return reply.status, reply.read().decode("utf-8"), reply.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), error.headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib's signature
        return None


def bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {OPS_TOKEN}"}


def post_form(url: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    """POST an HTML form without following redirects: (status, body, headers)."""
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as reply:
            return reply.status, reply.read().decode("utf-8"), reply.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), error.headers
