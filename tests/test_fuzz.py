"""Bad input over HTTP (hypothesis): the REST channel and the WeChat callback of a real `rasa run`.

Whatever arrives, the server never answers 5xx. REST: a message that is text gets a JSON list with a
polite Chinese answer, a body that is not a message gets a 4xx with a Chinese explanation. WeChat: a
correctly signed text message gets an XML reply (or "success"), a body that is not one gets 400/413,
an unsigned one 403. Nothing is written that should not be: "/intent{...}" never sets slots, raw ID
and mobile numbers never reach the tracker store, and refused callbacks store no user message.

Unit tests of the same channels with fakes live in tests/channels/; this file drives the real
server that `make serve` runs (the `rasa_server` fixture: credentials.yml, WECHAT_TOKEN=test-token).
Oversized bodies (413) are checked in tests/test_security.py with the other configured limits.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_wechat_server import signed_url, text_message

CJK = re.compile(r"[\u4e00-\u9fff]")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z*.])\d{17}[\dXx](?![\dA-Za-z])")
MOBILE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?!\d)")
BALANCE = re.compile(r"\d+(?:\.\d{1,2})?\s*元")
FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
_senders = itertools.count()

# The kinds of text the issue lists, next to whatever hypothesis makes up.
NASTY_TEXTS = [
    "", " ", "\u3000\n\t ", "\x00", "\x00\x01\x02\x1b[31m医保\x7f", "\u202e余额\u202d", "\ufeff\u200b\u200d",
    "😀", "🏥💊🩺💉", "👨‍👩‍👧‍👦" * 30, "🇨🇳" * 200,
    "' OR '1'='1' --", "1; DROP TABLE events; --", "\" UNION SELECT id_number, phone FROM persons --",
    "%' AND 1=1 AND '%'='", "<script>alert('医保')</script>", "{{7*7}}${7*7}", "${jndi:ldap://127.0.0.1/a}",
    "../../../../etc/passwd", "%00%0d%0a", "\\u0000\\x00",
    "/query_balance{\"person_ref\":\"1\"}", "/intent{\"slot\":\"value\"}", "/restart", "/affirm",
    "/provide_identity{\"id_number\":\"420102198506120310\",\"person_name\":\"张伟\"}",
    "／query_balance{\"person_ref\":\"1\"}", " /query_balance{\"person_ref\":\"P1\"}",
    "医" * 1001, "医保" * 17_000, "a" * 100_000,  # over the 1,000-character message limit; ~100 KB
]
surrogates_and_controls = st.text(st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zs", "Zl", "Zp"]),
                                  max_size=50)
any_text = st.one_of(st.sampled_from(NASTY_TEXTS), st.text(max_size=300), surrogates_and_controls,
                     st.text(st.characters(categories=["So", "Sk", "Mn"]), min_size=1, max_size=40))


# ---------------------------------------------------------------- HTTP helpers

def http_request(base: str, method: str, path: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    url = urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def post_rest(base: str, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
    return http_request(base, "POST", "/webhooks/rest/webhook", body, {"Content-Type": content_type})


def new_sender(prefix: str) -> str:
    return f"fuzz-{prefix}-{time.time_ns()}-{next(_senders)}"


def tracker(base: str, sender: str) -> dict:
    """The stored conversation of a sender: REST senders are "rest:<sender>" on the server, other
    channels' ids are passed with their prefix."""
    conversation = sender if sender.startswith(("wechat:", "wecom:", "web:")) else f"rest:{sender}"
    status, body = http_request(base, "GET", f"/conversations/{conversation}/tracker")
    assert status == 200
    return json.loads(body)


def user_events(base: str, sender: str) -> list[dict]:
    return [e for e in tracker(base, sender)["events"] if e["event"] == "user"]


def assert_polite_reply(status: int, body: bytes, sender: str) -> str:
    assert status == 200, (status, body[:300])
    messages = json.loads(body)
    assert isinstance(messages, list) and messages, body[:300]
    assert all(m.get("recipient_id") == sender for m in messages)
    text = "\n".join(m.get("text") or "" for m in messages)
    assert CJK.search(text), f"no Chinese answer: {text[:200]!r}"
    assert "Traceback" not in text and "Exception" not in text
    # The servers are healthy here, so 「系统繁忙」 means the bot said nothing and the channel covered
    # for it (e.g. a typed "/restart" ran Rasa's restart command, which answers nothing).
    assert "系统繁忙" not in text, f"{text!r}"
    return text


# ---------------------------------------------------------------- REST

@pytest.mark.parametrize("text", NASTY_TEXTS, ids=lambda t: repr(t[:24]))
def test_rest_each_listed_bad_text_gets_one_polite_chinese_answer(rasa_server, text: str) -> None:
    sender = new_sender("listed")
    status, body = post_rest(rasa_server, json.dumps({"sender": sender, "message": text}).encode())
    assert_polite_reply(status, body, sender)


@FUZZ
@given(text=any_text)
def test_rest_any_text_gets_one_polite_chinese_answer(rasa_server, text: str) -> None:
    sender = new_sender("text")
    # ensure_ascii keeps lone surrogates representable (as \ud800 escapes), as browsers send them.
    status, body = post_rest(rasa_server, json.dumps({"sender": sender, "message": text}).encode())
    assert_polite_reply(status, body, sender)


def _injection(intent: str, slots: dict[str, str]) -> str:
    return f"/{intent}{json.dumps(slots, ensure_ascii=False)}"


SLOT_NAMES = ["person_ref", "pending_query", "verification_offered", "id_number", "person_name",
              "phone_last4", "region", "requested_slot", "slot"]
INTENTS = ["query_balance", "provide_identity", "affirm", "query_payment_records", "intent", "restart"]


@FUZZ
@given(intent=st.sampled_from(INTENTS),
       names=st.lists(st.sampled_from(SLOT_NAMES), min_size=1, max_size=4, unique=True),
       marker=st.from_regex(r"\AINJ[A-Z0-9]{6}\Z"))
def test_rest_intent_syntax_never_sets_slots_or_reveals_records(rasa_server, intent: str, names: list[str],
                                                                marker: str) -> None:
    sender = new_sender("inject")
    text = _injection(intent, {name: marker for name in names})
    answer = assert_polite_reply(*post_rest(rasa_server, json.dumps({"sender": sender, "message": text}).encode()),
                                 sender)
    state = tracker(rasa_server, sender)
    assert not any(marker in json.dumps(value) for value in state["slots"].values()), state["slots"]
    assert state["slots"].get("person_ref") is None
    stored = [e for e in state["events"] if e["event"] == "user"]
    assert [e["text"] for e in stored] == ["／" + text[1:]]  # kept as plain text, not a payload
    assert not any(e["entity"] in names and marker in str(e["value"]) for e in stored[0]["parse_data"]["entities"])
    assert not BALANCE.search(answer), answer  # unverified: no amounts from the records


@FUZZ
@given(prefix=st.text(max_size=20), id_number=st.from_regex(r"\A[1-6]\d{16}[\dX]\Z"),
       phone=st.from_regex(r"\A1[3-9]\d{9}\Z"), separator=st.sampled_from(["，", "：", "号码", " 手机 "]))
def test_rest_identifiers_in_any_text_never_reach_the_tracker_store(rasa_server, prefix: str, id_number: str,
                                                                    phone: str, separator: str) -> None:
    sender = new_sender("pii")
    text = f"{prefix}我的身份证是{id_number}{separator}电话{phone}。"
    assert_polite_reply(*post_rest(rasa_server, json.dumps({"sender": sender, "message": text}).encode()), sender)
    stored = json.dumps(tracker(rasa_server, sender), ensure_ascii=False)
    assert len(user_events(rasa_server, sender)) == 1  # the scan looked at the stored message
    assert id_number not in stored and phone not in stored
    assert not ID_NUMBER.search(stored) and not MOBILE.search(stored)


malformed_json = st.sampled_from([
    b"", b"{", b"}", b"null", b"[]", b"[{\"sender\":\"a\",\"message\":\"b\"}]", b"\"text\"", b"42", b"true",
    b"{\"sender\":\"a\"}", b"{\"message\":\"\xe5\x8c\xbb\xe4\xbf\x9d\"}", b"{\"sender\":1,\"message\":\"hi\"}",
    b"{\"sender\":\"a\",\"message\":123}", b"{\"sender\":\"a\",\"message\":null}",
    b"{\"sender\":\"a\",\"message\":[\"x\"]}", b"{\"sender\":\"\",\"message\":\"hi\"}",
    b"{\"sender\":\"a\\u0000b\",\"message\":\"hi\"}", b"{\"sender\":\"" + b"s" * 129 + b"\",\"message\":\"hi\"}",
    b"{\"sender\":\"a\",\"message\":\"\xff\xfe\xfd\"}", b"\xff\xfe{\x00\"\x00", b"{'sender': 'a', 'message': 'b'}",
    b"{\"sender\":\"a\",\"message\":\"b\",}", b"{\"sender\":\"a\",\"message\":\"b\"} trailing",
    b"[" * 5000 + b"]" * 5000, b"{\"a\":" * 3000 + b"1" + b"}" * 3000, b"<xml><Content>hi</Content></xml>",
    b"sender=a&message=b", b"NaN", b"{\"sender\":\"a\",\"message\":\"b\",\"input_channel\":\"wechat\"}",
])


@FUZZ
@given(body=st.one_of(malformed_json, st.binary(max_size=2000)),
       content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                     "text/xml", "application/json; charset=gbk"]))
def test_rest_malformed_bodies_get_a_clear_answer_never_5xx(rasa_server, body: bytes, content_type: str) -> None:
    status, answer = post_rest(rasa_server, body, content_type)
    assert status < 500, (status, answer[:300])
    if status == 200:  # the body happened to be a message (or the trailing input_channel is ignored)
        assert json.loads(answer) and CJK.search(answer.decode())
    else:
        assert status in (400, 413, 415), status  # 415: only application/json is accepted
        assert CJK.search(json.loads(answer)["error"])


# ---------------------------------------------------------------- WeChat

XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def wechat_xml(user: str, text: str, msg_id: int) -> bytes:
    """A text callback as WeChat builds it (CDATA split around any ']]>')."""
    body = text_message(user, "TEXT-PLACEHOLDER", msg_id)
    content = text.replace("]]>", "]]]]><![CDATA[>")
    return body.replace(b"TEXT-PLACEHOLDER", content.encode("utf-8"))


def post_wechat(base: str, body: bytes, url: str | None = None) -> tuple[int, bytes]:
    path = (url or signed_url(base)).removeprefix(base)
    return http_request(base, "POST", path, body, {"Content-Type": "text/xml"})


@FUZZ
@given(text=any_text.map(lambda t: XML_INVALID.sub("", t)).filter(lambda t: len(t.encode()) < 60_000))
def test_wechat_signed_text_gets_an_xml_answer(rasa_server, text: str) -> None:
    user = new_sender("wx")
    status, body = post_wechat(rasa_server, wechat_xml(user, text, time.time_ns() % 10**15))
    assert status == 200, (status, body[:300])
    if body == b"success":  # WeChat's "no passive reply"; nothing else may be plain text
        return
    reply = ET.fromstring(body)
    assert reply.findtext("ToUserName") == user and reply.findtext("MsgType") == "text"
    content = reply.findtext("Content") or ""
    assert CJK.search(content) and "系统繁忙" not in content, body[:300]


XXE = (b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
       b"<CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&xxe;</Content><MsgId>7</MsgId></xml>")
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b"]><xml><FromUserName>{user}</FromUserName><MsgType>text</MsgType><Content>&lol9;</Content></xml>")
PARAMETER_ENTITY = (b'<!DOCTYPE x [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>'
                    b"<xml><FromUserName>{user}</FromUserName><MsgType>text</MsgType><Content>hi</Content></xml>")
BAD_XML = [
    b"", b"<", b"<xml>", b"<xml><FromUserName>{user}</FromUserName>", b"</xml>", b"not xml at all",
    b"<xml><FromUserName>{user}</FromUserName><MsgType>text</MsgType><Content>\x01\x02</Content></xml>",
    b"<xml><FromUserName>{user}</FromUserName><MsgType>text</MsgType><Content>\xff\xfe</Content></xml>",
    b"<xml><FromUserName>{user}</FromUserName><MsgType>text</MsgType><Content>a</Contnt></xml>",
    b"<other/>", b"<xml/>", b"<xml></xml>", b"{\"FromUserName\": \"{user}\"}", b"<xml>" * 10_000,
    b"<?xml version=\"1.0\" encoding=\"GBK\"?><xml><FromUserName>{user}</FromUserName></xml>",
    XXE, LAUGHS, PARAMETER_ENTITY,
]


@FUZZ
@given(template=st.one_of(st.sampled_from(BAD_XML), st.binary(max_size=3000)))
def test_wechat_signed_bad_bodies_are_refused_and_store_nothing(rasa_server, template: bytes) -> None:
    user = new_sender("wxbad")
    started = time.monotonic()
    status, body = post_wechat(rasa_server, template.replace(b"{user}", user.encode()))
    assert status in (400, 413) or (status == 200 and body == b"success"), (status, body[:300])
    assert time.monotonic() - started < 5  # an entity bomb is refused, not expanded
    assert b"root:" not in body
    assert user_events(rasa_server, f"wechat:{user}") == []


def test_wechat_entity_tricks_are_400_and_the_file_is_not_read(rasa_server) -> None:
    for template in (XXE, LAUGHS, PARAMETER_ENTITY):
        user = new_sender("xxe")
        status, body = post_wechat(rasa_server, template.replace(b"{user}", user.encode()))
        assert status == 400 and b"root:" not in body
        assert user_events(rasa_server, f"wechat:{user}") == []


@FUZZ
@given(body=st.one_of(st.sampled_from(BAD_XML), st.binary(max_size=500)),
       signature=st.sampled_from(["", "0" * 40, "not-hex", "a" * 400]),
       timestamp=st.sampled_from(["", "abc", "-1", "99999999999999999999", str(int(time.time()))]))
def test_wechat_unsigned_or_forged_requests_are_refused(rasa_server, body: bytes, signature: str,
                                                        timestamp: str) -> None:
    user = new_sender("forged")
    url = f"/webhooks/wechat/webhook?signature={signature}&timestamp={timestamp}&nonce=1&openid={user}"
    status, _ = http_request(rasa_server, "POST", url, text_message(user, "查余额", 1) if not body else body,
                             {"Content-Type": "text/xml"})
    assert status in (400, 403), status
    assert user_events(rasa_server, f"wechat:{user}") == []
