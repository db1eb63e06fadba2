"""WeChat Official Account callbacks as the platform sends them: signed XML, plain or safe (AES) mode.

Each message gets a fresh MsgId (the channel deduplicates retries by it) and the current
timestamp (the channel refuses stale ones). In safe mode the body is encrypted with wechatpy's
crypto and the reply is decrypted and its signature checked, so the client pays the same crypto
cost the server does. A passive reply of "success" means the bot missed WeChat's 5 s window and
would have answered late through the customer-service API: the benchmark counts it as an error.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import secrets
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp

from bench.load_client import TransportError

TOKEN = "bench-token"
APP_ID = "wxbench00000000001"
ACCOUNT = "gh_bench_account"


def random_aes_key() -> str:
    """An EncodingAESKey: 43 base64 characters encoding 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def text_xml(user: str, text: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>")


@dataclass
class WeChatTransport:
    base_url: str
    token: str = TOKEN
    aes_key: str | None = None  # set → safe mode
    app_id: str = APP_ID
    name: str = "wechat"
    _ids: itertools.count = field(default_factory=lambda: itertools.count(time.time_ns() % 10**12))

    def __post_init__(self) -> None:
        self.crypto = None
        if self.aes_key:
            from wechatpy.crypto import WeChatCrypto

            self.crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
            self.name = "wechat_safe"

    def server_env(self) -> dict[str, str]:
        env = {"WECHAT_TOKEN": self.token}
        if self.aes_key:
            env.update(WECHAT_AES_KEY=self.aes_key, WECHAT_APP_ID=self.app_id)
        return env

    async def send(self, session: aiohttp.ClientSession, sender: str, text: str) -> str:
        # a fresh nonce per request: the server refuses a used (timestamp, nonce) with another body
        timestamp, nonce = str(int(time.time())), secrets.token_hex(6)
        xml = text_xml(sender, text, next(self._ids))
        query = {"signature": signature(self.token, timestamp, nonce), "timestamp": timestamp,
                 "nonce": nonce, "openid": sender}
        if self.crypto:
            body = self.crypto.encrypt_message(xml, nonce, timestamp)
            encrypt = ET.fromstring(body).findtext("Encrypt") or ""
            query.update(encrypt_type="aes", msg_signature=signature(self.token, timestamp, nonce, encrypt))
        else:
            body = xml
        url = f"{self.base_url}/webhooks/wechat/webhook?{urlencode(query)}"
        async with session.post(url, data=body.encode(), headers={"Content-Type": "text/xml"}) as reply:
            status, answer = reply.status, await reply.text()
        if status != 200:
            raise TransportError(f"http {status}")
        if answer.strip() == "success":
            raise TransportError("no passive reply (success)")
        if self.crypto:
            root = ET.fromstring(answer)
            answer = self.crypto.decrypt_message(answer, root.findtext("MsgSignature"),
                                                 root.findtext("TimeStamp"), root.findtext("Nonce"))
        content = ET.fromstring(answer).findtext("Content") or ""
        if not content:
            raise TransportError("empty reply")
        return content
