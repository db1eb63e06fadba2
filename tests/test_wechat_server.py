"""The WeChat callback on a real `rasa run` server (credentials.yml), as `make serve` runs it."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

TOKEN = "test-token"  # the rasa_server fixture sets WECHAT_TOKEN to this


def signed_url(base: str, token: str = TOKEN, timestamp: int | None = None) -> str:
    timestamp = timestamp or int(time.time())
    nonce = secrets.token_hex(6)  # one per request, as WeChat does (a reused nonce is a replay)
    signature = hashlib.sha1("".join(sorted([token, str(timestamp), nonce])).encode()).hexdigest()
    return f"{base}/webhooks/wechat/webhook?signature={signature}&timestamp={timestamp}&nonce={nonce}&openid=o-user"


def text_message(user: str, text: str, msg_id: int) -> bytes:
    return (f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def post(url: str, body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(request, timeout=20) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def user_messages(base: str, sender: str) -> list[str]:
    # the channel names the conversation "wechat:<OpenID>" (bot/identity.py)
    with urllib.request.urlopen(f"{base}/conversations/wechat:{sender}/tracker", timeout=10) as reply:
        events = json.load(reply)["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def test_signed_text_gets_an_xml_reply_and_a_retry_is_processed_once(rasa_server) -> None:
    user, msg_id = f"o-wx-{time.time_ns()}", time.time_ns() % 10**15
    status, body = post(signed_url(rasa_server), text_message(user, "医保卡丢了怎么办", msg_id))
    assert status == 200
    reply = ET.fromstring(body)
    assert reply.findtext("ToUserName") == user and reply.findtext("MsgType") == "text"
    assert "挂失" in reply.findtext("Content")
    retry_status, retry_body = post(signed_url(rasa_server), text_message(user, "医保卡丢了怎么办", msg_id))
    assert retry_status == 200 and ET.fromstring(retry_body).findtext("Content") == reply.findtext("Content")
    assert user_messages(rasa_server, user) == ["医保卡丢了怎么办"]


def test_forged_and_stale_requests_are_refused(rasa_server) -> None:
    body = text_message("o-forger", "查余额", 1)
    assert post(signed_url(rasa_server, token="not-the-token"), body)[0] == 403
    assert post(signed_url(rasa_server, timestamp=int(time.time()) - 3600), body)[0] in (400, 403)
