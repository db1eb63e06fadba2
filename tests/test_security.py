"""Security checks on a private action server + `rasa run` (its logs and tracker store are read here).

- no personal data without verification, on every personal question, and none across users;
- lockout: the rules are unit-tested in tests/records/test_verification.py and end to end in
  tests/test_conversations.py::test_five_failures_lock_verification; here only what those cannot see
  (a REST client chooses its own sender id);
- no raw ID or mobile numbers in the tracker store or in either server's log after verifications;
- CORS: same-origin only (`rasa run` without --cors sends no Access-Control-Allow-Origin);
- body limits: 413, never 5xx and never a buffered 2 MB body, on REST and WeChat;
- secrets only from the environment: nothing tracked holds a token, key or password.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import select
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from tests.support.assistant import ROOT, copy_sqlite_database, rasa_env, start_action_server
from tests.support.server import start_rasa_server, stop, write_endpoints

TOKEN = "security-test-token"  # WECHAT_TOKEN of the private server
NAME, CODE, ID_NUMBER, PHONE = "张伟", "4567", "420102198506120310", "13871234567"
RAW_ID = re.compile(r"(?<![\dA-Za-z*.])\d{17}[\dXx](?![\dA-Za-z])")
RAW_MOBILE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?!\d)")
AMOUNT = re.compile(r"\d+\.\d{2}\s*元")


@pytest.fixture(scope="module")
def system(trained_model, records_db_url, tmp_path_factory) -> dict:
    """Private servers: lockouts and log scans must not depend on (or disturb) other tests."""
    folder = tmp_path_factory.mktemp("security")
    db_file = folder / "records.db"
    copy_sqlite_database(records_db_url, db_file)
    env = {"DATABASE_URL": f"sqlite:///{db_file}", "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}"}
    actions, action_url = start_action_server(rasa_env(**env), folder / "actions.log")
    endpoints = write_endpoints(folder / "endpoints.yml", action_url)
    try:
        rasa, base = start_rasa_server(trained_model, endpoints, folder / "rasa.log", WECHAT_TOKEN=TOKEN, **env)
    except Exception:
        stop(actions)
        raise
    yield {"base": base, "folder": folder, "tracker_db": folder / "tracker.db"}
    stop(rasa)
    stop(actions)


def say(base: str, sender: str, text: str) -> str:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 200
        return "\n".join(m.get("text", "") for m in json.load(reply))


def verify(base: str, sender: str, code: str = CODE, id_number: str = ID_NUMBER, name: str = NAME) -> str:
    say(base, sender, "验证身份")
    say(base, sender, name)
    say(base, sender, code)
    return say(base, sender, id_number)


def sender(prefix: str) -> str:
    return f"sec-{prefix}-{time.time_ns()}"


# ---------------------------------------------------------------- personal data

@pytest.mark.parametrize("question", ["我的医保余额还有多少", "查一下我的缴费记录", "我的参保地在哪",
                                      "最近三个月消费了多少", "我女儿的缴费记录"])
def test_personal_questions_without_verification_reveal_nothing(system, question: str) -> None:
    reply = say(system["base"], sender("unverified"), question)
    assert "验证身份" in reply
    assert not AMOUNT.search(reply) and "截至" not in reply and not re.search("[■□]", reply)
    assert "张*" not in reply and "4201" not in reply


def test_one_users_verification_never_answers_another_users_question(system) -> None:
    base, owner, other = system["base"], sender("owner"), sender("other")
    assert "验证成功" in verify(base, owner)
    assert AMOUNT.search(say(base, owner, "我的医保余额还有多少"))  # the check below can see an amount
    reply = say(base, other, "我的医保余额还有多少")
    assert "验证身份" in reply and not AMOUNT.search(reply)


# ---------------------------------------------------------------- lockout

def test_wrong_codes_from_many_rest_senders_lock_the_person(system) -> None:
    # 李娜 (another demo persona): this lock lasts 30 minutes and must not stop the other tests' 张伟.
    base, persona = system["base"], {"name": "李娜", "id_number": "420106199202180525"}
    for attempt in range(9):  # each from a fresh sender id, as a REST client may choose
        assert "不一致" in verify(base, sender(f"guess{attempt}"), code=f"{attempt:04d}", **persona)
    assert "失败次数过多" in verify(base, sender("guess9"), code="0009", **persona)  # the tenth
    right = verify(base, sender("guess-right"), code="1234", **persona)  # her real code
    assert "验证成功" not in right and "失败次数过多" in right


# ---------------------------------------------------------------- identifiers at rest

def test_no_raw_identifiers_in_tracker_store_or_logs_after_verification(system) -> None:
    base = system["base"]
    say(base, sender("scan-text"), f"我的身份证号是{ID_NUMBER}，手机{PHONE}")  # typed out of turn
    say(base, sender("scan-text"), f"我手机号是{PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}")
    assert "不一致" in verify(base, sender("scan-fail"), code="0000")  # the failure path logs too
    user = sender("scan")
    assert "验证成功" in verify(base, user)
    assert AMOUNT.search(say(base, user, "我的医保余额还有多少"))
    wx_user = f"o-scan-{time.time_ns()}"
    for index, text in enumerate(("验证身份", NAME, CODE, ID_NUMBER, "查一下我的缴费记录")):
        status, _ = post_wechat(base, wechat_text(wx_user, text, 10**15 + time.time_ns() % 10**14 + index))
        assert status == 200

    stop_check = time.monotonic() + 5  # the tracker store commits when the turn ends
    while "4201**********0310" not in tracker_dump(system["tracker_db"]) and time.monotonic() < stop_check:
        time.sleep(0.2)
    stored = tracker_dump(system["tracker_db"])
    assert "4201**********0310" in stored and wx_user in stored  # the scan looked at the real data
    logs = {name: (system["folder"] / name).read_text(encoding="utf-8", errors="replace")
            for name in ("rasa.log", "actions.log")}
    assert all(logs.values())
    for where, text in {"tracker store": stored, **logs}.items():
        assert ID_NUMBER not in text and PHONE not in text, where
        assert not RAW_ID.search(text), (where, RAW_ID.search(text))
        assert not RAW_MOBILE.search(text), (where, RAW_MOBILE.search(text))


def tracker_dump(path: Path) -> str:
    """Every byte of the SQLite tracker store, including a write-ahead log if there is one."""
    parts = [p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    return b"".join(parts).decode("utf-8", errors="replace")


# ---------------------------------------------------------------- CORS

CROSS_ORIGIN = "https://evil.example"


def request_headers(url: str, method: str = "GET", body: bytes | None = None,
                    headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/webhooks/rest/webhook", json.dumps({"sender": "cors", "message": "你好"}).encode()),
    ("OPTIONS", "/webhooks/rest/webhook", None),
    ("GET", "/conversations/cors/tracker", None),
    ("GET", "/chat/replies?sender=cors&after=0", None),
    ("GET", "/status", None),
])
def test_other_origins_get_no_cors_permission(system, method: str, path: str, body: bytes | None) -> None:
    # The web page is served by the same server (/chat), so browsers need no CORS at all; any
    # Access-Control-Allow-Origin would let another site read conversations through a visitor.
    headers = {"Origin": CROSS_ORIGIN, "Content-Type": "application/json",
               "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    status, answer = request_headers(system["base"] + path, method, body, headers)
    assert status < 500
    assert "access-control-allow-origin" not in answer, answer
    assert "access-control-allow-credentials" not in answer


def test_no_tracked_command_opens_cors() -> None:
    hits = [(path, line) for path, line in tracked_lines() if re.search(r"--cors\b", line)]
    assert not [hit for hit in hits if re.search(r"--cors[ =]+[\"']?\*", hit[1])], hits


# ---------------------------------------------------------------- body limits

def post_raw(base: str, path: str, body: bytes, content_type: str) -> tuple[int, float]:
    """POSTs like a client that keeps sending until the server answers (which it may do early)."""
    url = urlparse(base)
    started = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: {content_type}\r\n"
                      f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
        view, sent = memoryview(body), 0
        while sent < len(body) and not select.select([sock], [], [], 0)[0]:
            try:
                sent += sock.send(view[sent:sent + 65536])
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1]), time.monotonic() - started


def wechat_text(user: str, text: str, msg_id: int) -> bytes:
    return (f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[{user}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def signed_path(channel: str = "wechat") -> str:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(6)  # a reused nonce is a replay
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
    return f"/webhooks/{channel}/webhook?signature={signature}&timestamp={timestamp}&nonce={nonce}"


def post_wechat(base: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(base + signed_path(), data=body, headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


TWO_MB = 2 * 1024 * 1024


def test_rest_body_over_the_limit_is_413_with_a_chinese_reason(system) -> None:
    base = system["base"]
    body = json.dumps({"sender": "big", "message": "医" * TWO_MB}, ensure_ascii=False).encode()
    status, seconds = post_raw(base, "/webhooks/rest/webhook", body, "application/json")
    assert status == 413 and seconds < 5
    # Just over the cap, sent whole: the answer says why, in Chinese.
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", data=b" " * (256 * 1024 + 1),
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413 and "请求过大" in json.load(refused.value)["error"]
    # A long message under the cap still gets the polite answer, not a refusal.
    assert "太长" in say(base, sender("long"), "医保" * 20_000)


def test_rest_declared_length_over_the_limit_is_refused_before_the_body_arrives(system) -> None:
    url = urlparse(system["base"])
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall((f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: {url.netloc}\r\n"
                      "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{").encode())
        assert sock.recv(64).split(b" ", 2)[1] == b"413"  # no 50 MB was waited for


@pytest.mark.parametrize("channel", ["wechat", "wecom"])
def test_callback_body_over_the_limit_is_refused(system, channel: str) -> None:
    user = f"o-big-{time.time_ns()}"
    body = wechat_text(user, "医" * TWO_MB, 1)
    status, seconds = post_raw(system["base"], signed_path(channel), body, "text/xml")
    # WeCom is not configured on this server: it refuses everything (403) before reading a body.
    assert status == (413 if channel == "wechat" else 403) and seconds < 5


# ---------------------------------------------------------------- secrets

SECRET_FILES_EXCEPT = ("tests/", "data/demo/")  # test fixtures and fictitious demo data


def tracked_lines() -> list[tuple[str, str]]:
    # Tracked and new (not ignored) files: a secret must not get in with the next commit either.
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout
    lines: list[tuple[str, str]] = []
    for name in filter(None, files.decode().split("\0")):
        path = ROOT / name
        if name.startswith(SECRET_FILES_EXCEPT) or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        lines += [(name, line) for line in text.splitlines()]
    return lines


SECRET_PATTERNS = {
    "secret env var given a value": re.compile(
        r"\b(?:WECHAT|WECOM|RASA_API)_(?:TOKEN|APP_SECRET|SECRET|AES_KEY|AES_KEY_PREVIOUS)\b\s*[:=]\s*[\"']?[\w+/]{6,}"),
    # a placeholder such as <password> or ${PASSWORD} is documentation, not a secret
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+]*://[^\s/:@\"']+:(?![<$])[^\s/@\"'<>]+@"),
    "literal token/secret/password": re.compile(
        r"(?i)\b(?:token|secret|password|passwd|api_key|aes_key|encoding_aes_key)\b[\"']?\s*[:=]\s*[\"'][^\"'\s${}]{6,}[\"']"),
    "43-character EncodingAESKey": re.compile(r"(?i)(?:aes|key).{0,40}(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}(?![A-Za-z0-9+/=])"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "--auth-token given a literal": re.compile(r"--auth-token[ =]+(?![\"']?\$)[\"']?\w{4,}"),
}


# Values that say what they are: the benchmarks' own loopback servers use e.g. TOKEN = "bench-token".
FIXTURE_VALUE = re.compile(r"(?i)test|bench|demo|example|dummy|placeholder|changeme")


def secret_hits(lines: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    return [(kind, path, line.strip()[:120]) for path, line in lines
            for kind, pattern in SECRET_PATTERNS.items()
            if (found := pattern.search(line)) and not FIXTURE_VALUE.search(found.group(0))]


def test_no_secret_is_written_in_a_tracked_file() -> None:
    hits = secret_hits(tracked_lines())
    assert not hits, hits


def test_the_scan_finds_what_it_looks_for() -> None:
    samples = {
        "secret env var given a value": "export WECHAT_TOKEN=abc123def",
        "password in a URL": "TRACKER_STORE_URL=postgresql://rasa:s3cret@db:5432/rasa",
        "literal token/secret/password": 'password: "hunter22"',
        "43-character EncodingAESKey": 'aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"',
        "private key": "-----BEGIN RSA PRIVATE KEY-----",
        "--auth-token given a literal": "rasa run --auth-token mytoken123",
    }
    for kind, line in samples.items():
        assert secret_hits([("f", line)]) and SECRET_PATTERNS[kind].search(line), kind
    for ok in ('token: "${WECHAT_TOKEN}"', "postgresql://yibao_rasa:<password>@pg:5432/yibao_tracker", "--auth-token \"$RASA_API_TOKEN\"", "postgresql://postgres@127.0.0.1:5432/test",
               "WECHAT_TOKEN, WECHAT_APP_ID", "url: \"http://127.0.0.1:5055/webhook\""):
        assert not any(p.search(ok) for p in SECRET_PATTERNS.values()), ok


def test_rasa_config_files_hold_no_secret_values() -> None:
    secret_key = re.compile(r"(?i)(?:^|[._])(?:\w*token|\w*secret|password|passwd|\w*aes_key|api_key|key)$")
    for name in ("credentials.yml", "endpoints.yml", "endpoints.production.yml"):
        path = ROOT / name
        if not path.exists():
            continue
        for key, value in flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {}):
            if secret_key.search(key) and value not in (None, ""):
                assert re.fullmatch(r"\$\{\w+\}", str(value)), f"{name}: {key} must come from the environment"


def flatten(node: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in flatten(value, f"{prefix}{key}.")]
    if isinstance(node, list):
        return [item for value in node for item in flatten(value, prefix)]
    return [(prefix.rstrip("."), node)]


def test_channel_secrets_are_read_from_the_environment_not_credentials(monkeypatch) -> None:
    from bot.channels.wechat import WeChatInput
    from bot.channels.wecom import WeComInput

    for name in ("WECHAT_TOKEN", "WECHAT_AES_KEY", "WECHAT_APP_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY",
                 "WECOM_SECRET", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    in_file = {"token": "from-credentials-file", "secret": "from-file", "encoding_aes_key": "x" * 43}
    for channel in (WeChatInput, WeComInput):
        config = channel.from_credentials(in_file).config
        assert not config.enabled and config.token == "" and config.secret == "" and not config.aes_keys
    monkeypatch.setenv("WECHAT_TOKEN", "from-env")
    assert WeChatInput.from_credentials(None).config.token == "from-env"
