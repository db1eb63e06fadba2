"""The attacks of issue #11, each tried against the real `make serve` servers (scripts/run_assistant.sh
on free loopback ports, a private copy of the demo records, WeChat in plain mode).

1 cross-channel takeover  2 action server called directly  3 Rasa HTTP API without a token
4 ID numbers written with separators  5 WeChat replay  6 brute force  7 errors that leak.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.assistant import ROOT, copy_sqlite_database, free_port, rasa_env, wait_for

WECHAT_TOKEN = "attack-test-wechat-token"
SECRETS = {"ACTION_SERVER_TOKEN": "attack-test-action-token", "RASA_JWT_SECRET": "attack-test-jwt-secret-of-32-bytes-or-more",
           "YIBAO_IDENTITY_SECRET": "attack-test-identity-secret"}
ZHANG = {"name": "张伟", "code": "4567", "id_number": "420102198506120310"}
LI = {"name": "李娜", "code": "1234", "id_number": "420106199202180525"}
AMOUNT = re.compile(r"\d+\.\d{2}\s*元")
RATE = 30  # REST messages per client address and minute on this server


@dataclass
class Servers:
    base: str
    action_url: str
    folder: Path
    tracker_db: Path
    records_db: Path
    process: subprocess.Popen

    def logs(self) -> str:
        return "".join(p.read_text(encoding="utf-8", errors="replace")
                       for p in (self.folder / "serve.log", self.folder / "actions.log") if p.exists())


@pytest.fixture(scope="module")
def servers(trained_model, records_db_url, tmp_path_factory) -> Servers:
    folder = tmp_path_factory.mktemp("attacks")
    records = folder / "records.db"
    copy_sqlite_database(records_db_url, records)
    rasa_port, action_port = free_port(), free_port()
    env = rasa_env(DATABASE_URL=f"sqlite:///{records}", TRACKER_STORE_URL=f"sqlite:///{folder / 'tracker.db'}",
                   WECHAT_TOKEN=WECHAT_TOKEN, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port),
                   LOG_DIR=str(folder), TRUSTED_PROXIES="127.0.0.1", REST_RATE_LIMIT_PER_MINUTE=str(RATE),
                   LOG_LEVEL="DEBUG", **SECRETS)  # DEBUG: Rasa logs every parse and slot; all must be redacted
    env.pop("ACTION_SERVER_URL", None)
    log = open(folder / "serve.log", "w")
    process = subprocess.Popen(["bash", "scripts/run_assistant.sh", "serve"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{rasa_port}/", process, seconds=240)  # /status needs the token
    except Exception:
        os.killpg(process.pid, signal.SIGTERM)
        raise
    yield Servers(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}/webhook", folder,
                  folder / "tracker.db", records, process)
    os.killpg(process.pid, signal.SIGTERM)  # the script's trap stops the action server it started
    process.wait(timeout=30)


# ---------------------------------------------------------------- clients

def http(url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def client_of(sender: str) -> dict[str, str]:
    """Each test sender comes from its own address, as told by the trusted proxy (127.0.0.1)."""
    digest = hashlib.sha256(sender.encode()).digest()
    return {"X-Forwarded-For": f"10.{digest[0]}.{digest[1]}.{digest[2]}"}


def rest(base: str, sender: str, text: str, headers: dict[str, str] | None = None) -> str:
    status, body = post_rest(base, sender, text, {**client_of(sender), **(headers or {})})
    assert status == 200, (status, body)
    return "\n".join(m.get("text", "") for m in json.loads(body))


def post_rest(base: str, sender: str, text: str, headers: dict[str, str]) -> tuple[int, bytes]:
    return http(f"{base}/webhooks/rest/webhook", json.dumps({"sender": sender, "message": text}).encode(),
                {"Content-Type": "application/json", **headers})


def signed_query(timestamp: str | None = None, nonce: str | None = None) -> str:
    timestamp, nonce = timestamp or str(int(time.time())), nonce or secrets.token_hex(8)
    signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
    return f"signature={signature}&timestamp={timestamp}&nonce={nonce}"


def wechat_xml(openid: str, text: str, msg_id: int | None = None) -> bytes:
    msg_id = msg_id or time.time_ns() % 10**15
    return (f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def wechat(base: str, openid: str, text: str, query: str | None = None, body: bytes | None = None) -> tuple[int, str]:
    status, reply = http(f"{base}/webhooks/wechat/webhook?{query or signed_query()}",
                         body or wechat_xml(openid, text), {"Content-Type": "text/xml"})
    content = re.search(rb"<Content><!\[CDATA\[(.*?)\]\]></Content>", reply, re.S)
    return status, (content.group(1) if content else reply).decode("utf-8", errors="replace")


def verify_on_wechat(base: str, openid: str, person: dict[str, str]) -> str:
    for text in ("验证身份", person["name"], person["code"]):
        wechat(base, openid, text)
    return wechat(base, openid, person["id_number"])[1]


def verify_on_rest(base: str, sender: str, person: dict[str, str], id_number: str | None = None) -> str:
    for text in ("验证身份", person["name"], person["code"]):
        rest(base, sender, text)
    return rest(base, sender, id_number or person["id_number"])


def api_headers() -> dict[str, str]:
    """What the agent console sends (bot.handoff.desk.api_token), built here so that this file also
    runs against the code before the fix."""
    import jwt

    claims = {"user": {"username": "agent-console", "role": "admin"}, "exp": int(time.time()) + 300}
    return {"Authorization": f"Bearer {jwt.encode(claims, SECRETS['RASA_JWT_SECRET'], algorithm='HS256')}"}


def tracker(base: str, conversation_id: str) -> dict:
    status, body = http(f"{base}/conversations/{urllib.request.quote(conversation_id, safe=':')}/tracker",
                        headers=api_headers())
    assert status == 200, status
    return json.loads(body)


# ---------------------------------------------------------------- 1 cross-channel takeover

def test_rest_sender_equal_to_a_verified_openid_gets_no_personal_data(servers) -> None:
    openid = f"o_x{secrets.token_hex(4)}"
    assert "验证成功" in verify_on_wechat(servers.base, openid, ZHANG)
    assert AMOUNT.search(wechat(servers.base, openid, "我的医保余额还有多少")[1])  # the owner sees it
    for forged in (openid, f"wechat:{openid}", f" {openid}"):
        reply = rest(servers.base, forged, "我的医保余额还有多少")
        assert not AMOUNT.search(reply) and "验证身份" in reply, (forged, reply)


def test_rest_sender_cannot_write_into_a_paused_wechat_conversation(servers) -> None:
    openid = f"o_p{secrets.token_hex(4)}"
    assert "人工" in wechat(servers.base, openid, "转人工")[1]
    before = [e for e in tracker(servers.base, f"wechat:{openid}")["events"] if e["event"] == "user"]
    reply = rest(servers.base, openid, "我是本人，请把我的缴费记录发给我")
    assert "已转给人工客服" not in reply, "the REST message landed in the paused WeChat conversation"
    after = [e for e in tracker(servers.base, f"wechat:{openid}")["events"] if e["event"] == "user"]
    assert after == before


def test_web_page_gets_its_identity_from_a_signed_httponly_cookie(servers) -> None:
    request = urllib.request.Request(f"{servers.base}/chat")
    with urllib.request.urlopen(request, timeout=30) as reply:
        cookie = reply.headers["Set-Cookie"]
        headers = {k.lower(): v for k, v in reply.headers.items()}
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    jar = {"Cookie": cookie.split(";")[0]}
    for text in ("验证身份", ZHANG["name"], ZHANG["code"]):
        rest(servers.base, "page", text, jar)
    assert "验证成功" in rest(servers.base, "page", ZHANG["id_number"], jar)
    assert AMOUNT.search(rest(servers.base, "page", "我的医保余额还有多少", jar))
    # The same body without the cookie, or with a cookie whose signature is wrong, is someone else.
    assert not AMOUNT.search(rest(servers.base, "page", "我的医保余额还有多少"))
    forged = {"Cookie": jar["Cookie"][:-3] + "abc"}
    assert not AMOUNT.search(rest(servers.base, "page", "我的医保余额还有多少", forged))


# ---------------------------------------------------------------- 2 action server

def test_action_server_refuses_a_hand_made_tracker(servers) -> None:
    call = {"next_action": "action_personal_query", "sender_id": "wechat:o_x", "version": "3.6.21",
            "tracker": {"sender_id": "wechat:o_x", "slots": {}, "events": [], "paused": False,
                        "latest_message": {"intent": {"name": "query_balance"}, "entities": [], "text": "余额"},
                        "latest_input_channel": "wechat", "active_loop": {}, "latest_action_name": "action_listen"},
            "domain": {}}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": SECRETS["ACTION_SERVER_TOKEN"]}):
        status, body = http(servers.action_url, json.dumps(call).encode(),
                            {"Content-Type": "application/json", **headers})
        assert status == 401 and b"events" not in body, (headers, status)
    status, _ = http(servers.action_url.replace("/webhook", "/actions"))
    assert status == 401


# ---------------------------------------------------------------- 3 Rasa HTTP API

@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/conversations/wechat:o_x/tracker"),
    ("GET", "/conversations/o_x/tracker"),
    ("POST", "/conversations/o_x/tracker/events"),
    ("POST", "/conversations/o_x/execute"),
    ("GET", "/conversations/o_x/tracker?token=attack-test-jwt-secret-of-32-bytes-or-more"),
])
def test_rasa_api_needs_a_token_in_the_header(servers, method: str, path: str) -> None:
    body = json.dumps({"event": "resume"}).encode() if method == "POST" else None
    status, _ = http(servers.base + path, body, {"Content-Type": "application/json"}, method)
    assert status == 401


def test_agent_console_token_opens_the_api(servers) -> None:
    assert tracker(servers.base, "wechat:nobody")["sender_id"] == "wechat:nobody"


# ---------------------------------------------------------------- 4 redaction

def digits_only(text: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("spelling", ["420106-19920218-0525", "420106 1992 0218 0525",
                                      "４２０１０６１９９２０２１８０５２５", "420106199202180525"])
def test_id_number_accepted_with_separators_is_stored_nowhere(servers, spelling: str) -> None:
    sender = f"sep-{secrets.token_hex(4)}"
    assert "验证成功" in verify_on_rest(servers.base, sender, LI, spelling)
    rest(servers.base, sender, f"转人工，我的身份证是{spelling}")
    time.sleep(1)  # the tracker store commits when the turn ends
    places = {"tracker store": dump(servers.tracker_db), "tickets, audit, attempts": written_rows(servers.records_db),
              "logs": servers.logs()}
    assert sender in places["tracker store"]
    for where, text in places.items():
        assert LI["id_number"] not in digits_only(text), where


def written_rows(records_db: Path) -> str:
    """What the servers wrote into the records store (the persons table holds the number by design)."""
    with sqlite3.connect(records_db) as db:
        return "\n".join(repr(row) for table in WRITTEN_TABLES for row in db.execute(f"SELECT * FROM {table}"))


WRITTEN_TABLES = ("handoff_tickets", "access_audit", "verification_attempts", "channel_bindings")


def dump(path: Path) -> str:
    parts = [p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    return b"".join(parts).decode("utf-8", errors="replace")


# ---------------------------------------------------------------- 7 errors

def test_failing_action_call_is_answered_without_the_request(servers) -> None:
    call = {"next_action": "validate_verification_form", "sender_id": "rest:x", "version": "3.6.21",
            "tracker": {"sender_id": "rest:x", "events": "not a list", "slots": None,
                        "latest_message": {"text": LI["id_number"]}}}
    status, body = http(servers.action_url, json.dumps(call).encode(),
                        {"Content-Type": "application/json", "Authorization": f"Bearer {SECRETS['ACTION_SERVER_TOKEN']}"})
    # The action's own guard answers politely (200, 系统繁忙) or rasa-sdk fails it (500): never an echo.
    assert LI["id_number"].encode() not in body and b"request_body" not in body, (status, body)
    time.sleep(0.5)
    assert LI["id_number"] not in digits_only(servers.logs())


# ---------------------------------------------------------------- 5 WeChat replay

def test_used_wechat_nonce_with_another_body_is_refused(servers) -> None:
    query = signed_query()
    victim, attacker = f"o_v{secrets.token_hex(4)}", f"o_a{secrets.token_hex(4)}"
    first = wechat_xml(victim, "你好", 7001)
    assert wechat(servers.base, victim, "", query, first)[0] == 200
    assert wechat(servers.base, victim, "", query, first)[0] == 200  # WeChat's own retry: same body
    forged = wechat_xml(attacker, "我的医保余额还有多少", 7002)
    assert wechat(servers.base, attacker, "", query, forged)[0] == 403
    assert wechat(servers.base, victim, "", query, wechat_xml(victim, "查余额", 7003))[0] == 403


def test_wechat_callback_older_than_two_minutes_is_refused(servers) -> None:
    old = signed_query(timestamp=str(int(time.time()) - 121))
    assert wechat(servers.base, "o_old", "你好", old)[0] == 403


def test_unsubscribe_removes_the_binding(servers) -> None:
    openid = f"o_u{secrets.token_hex(4)}"
    assert "验证成功" in verify_on_wechat(servers.base, openid, ZHANG)
    event = (f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
             f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
             f"<Event><![CDATA[unsubscribe]]></Event></xml>").encode()
    assert wechat(servers.base, openid, "", body=event)[0] == 200
    with sqlite3.connect(servers.records_db) as db:
        bound = db.execute("SELECT count(*) FROM channel_bindings WHERE channel_user_id = ?", (openid,)).fetchone()
    assert bound == (0,)


# ---------------------------------------------------------------- 6 brute force from one client

def test_one_client_address_is_limited_whatever_senders_it_uses(servers) -> None:
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    statuses = [post_rest(servers.base, f"guess-{i}", "验证身份", attacker)[0] for i in range(RATE + 5)]
    assert statuses[:RATE] == [200] * RATE and statuses[-1] == 429
    status, body = post_rest(servers.base, "guess-x", "验证身份", attacker)
    assert status == 429 and "太快" in json.loads(body)["error"]
    assert post_rest(servers.base, "someone-else", "你好", {"X-Forwarded-For": "203.0.113.8"})[0] == 200


def test_cross_site_text_plain_post_is_refused(servers) -> None:
    body = json.dumps({"sender": "csrf", "message": "转人工"}).encode()
    status, reply = http(f"{servers.base}/webhooks/rest/webhook", body,
                         {"Content-Type": "text/plain", "Origin": "https://evil.example", **client_of("csrf")})
    assert status == 415 and "application/json" in json.loads(reply)["error"]


def test_rasa_with_an_open_api_refuses_to_start(trained_model, tmp_path) -> None:
    env = rasa_env(ACTION_SERVER_URL="http://127.0.0.1:9/webhook", TRACKER_STORE_URL=f"sqlite:///{tmp_path / 't.db'}",
                   **SECRETS)
    env.pop("ALLOW_UNAUTHENTICATED_API", None)  # as in production: nothing opts out
    started = time.monotonic()
    done = subprocess.run([str(Path(sys.executable).with_name("rasa")), "run", "-m", str(trained_model), "--enable-api", "-i",
                           "127.0.0.1", "-p", str(free_port()), "--credentials", "credentials.yml",
                           "--endpoints", "endpoints.yml"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode != 0 and "--jwt-secret" in done.stdout + done.stderr
    assert time.monotonic() - started < 180


def test_agent_replies_are_not_found_by_a_sender_in_the_url(servers) -> None:
    status, body = http(f"{servers.base}/chat/replies?sender=web-123&after=0")
    assert status == 400 and "/chat" in json.loads(body)["error"]  # only the page's cookie names the user


def test_agent_console_reads_and_resumes_with_its_header_token(servers, monkeypatch) -> None:
    from bot.handoff.desk import RasaConversations

    monkeypatch.setenv("RASA_JWT_SECRET", SECRETS["RASA_JWT_SECRET"])
    openid = f"o_c{secrets.token_hex(4)}"
    assert "人工" in wechat(servers.base, openid, "转人工")[1]
    assert "人工客服" in wechat(servers.base, openid, "我的卡丢了")[1]  # paused: the bot only acknowledges
    desk = RasaConversations(base_url=servers.base)
    assert desk.messages_since_pause(f"wechat:{openid}") == ["我的卡丢了"]
    desk.resume(f"wechat:{openid}")
    assert "人工客服" not in wechat(servers.base, openid, "医保卡丢了怎么补办")[1]


def test_rasas_command_line_holds_no_secret(servers) -> None:
    """Every local user can read a process's command line (/proc/<pid>/cmdline): Rasa gets the path of
    a 0600 file there, never the JWT secret itself."""
    port = servers.base.rsplit(":", 1)[1]
    lines = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue  # the process ended meanwhile
    ours = [line for line in lines if "--jwt-secret" in line and f"-p {port}" in line]
    assert ours, "the make serve Rasa process was not found"
    assert not any(value in line for line in lines for value in SECRETS.values())
