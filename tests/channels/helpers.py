"""Builds callbacks the way WeChat / WeCom send them, independently of the code under test."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import xmltodict
from wechatpy.crypto import PrpCrypto
from wechatpy.enterprise.crypto import PrpCrypto as WeComPrpCrypto

TOKEN = "yibaoTestToken2024"
APP_ID = "wx1234567890abcdef"
CORP_ID = "ww0123456789abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OLD_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
OPENID = "oUser_openid_0001"
ACCOUNT = "gh_yibao_account"


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed_query(token: str = TOKEN, timestamp: int | None = None, nonce: str | None = None, **extra: str) -> dict:
    # A fresh nonce per request, as WeChat sends: a used (timestamp, nonce) with another body is a replay.
    nonce = nonce or secrets.token_hex(6)
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"signature": sha1_signature(token, ts, nonce), "timestamp": ts, "nonce": nonce, **extra}


def xml_message(fields: dict) -> str:
    inner = "".join(
        f"<{name}>{value}</{name}>" if isinstance(value, int) else f"<{name}><![CDATA[{value}]]></{name}>"
        for name, value in fields.items()
    )
    return f"<xml>{inner}</xml>"


def text_xml(content: str, msg_id: int = 1001, user: str = OPENID, to: str = ACCOUNT) -> str:
    return xml_message({"ToUserName": to, "FromUserName": user, "CreateTime": int(time.time()),
                        "MsgType": "text", "Content": content, "MsgId": msg_id})


def event_xml(event: str, key: str = "", user: str = OPENID, create_time: int | None = None) -> str:
    fields = {"ToUserName": ACCOUNT, "FromUserName": user, "CreateTime": create_time or int(time.time()),
              "MsgType": "event", "Event": event}
    if key:
        fields["EventKey"] = key
    return xml_message(fields)


def encrypt_like_wechat(xml: str, aes_key: str = AES_KEY, receiver: str = APP_ID, wecom: bool = False) -> str:
    key = base64.b64decode(aes_key + "=")
    crypto = (WeComPrpCrypto if wecom else PrpCrypto)(key)
    return crypto.encrypt(xml, receiver).decode()


def encrypted_request(xml: str, aes_key: str = AES_KEY, receiver: str = APP_ID, wecom: bool = False,
                      timestamp: int | None = None, nonce: str | None = None) -> tuple[dict, str]:
    """(query, body) of a safe-mode callback."""
    nonce = nonce or secrets.token_hex(6)
    encrypt = encrypt_like_wechat(xml, aes_key, receiver, wecom)
    ts = str(int(time.time()) if timestamp is None else timestamp)
    query = {"timestamp": ts, "nonce": nonce, "msg_signature": sha1_signature(TOKEN, ts, nonce, encrypt)}
    if not wecom:
        query.update(signature=sha1_signature(TOKEN, ts, nonce), encrypt_type="aes", openid=OPENID)
    to = receiver if wecom else ACCOUNT
    return query, f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"


def decrypt_reply(body: str, aes_key: str = AES_KEY, receiver: str = APP_ID, wecom: bool = False) -> dict:
    """Checks the reply's MsgSignature and returns the inner XML as a dict."""
    envelope = xmltodict.parse(body)["xml"]
    expected = sha1_signature(TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])
    assert envelope["MsgSignature"] == expected
    crypto = (WeComPrpCrypto if wecom else PrpCrypto)(base64.b64decode(aes_key + "="))
    return xmltodict.parse(crypto.decrypt(envelope["Encrypt"], receiver))["xml"]


@dataclass
class FakeApiServer:
    """A local HTTP server standing in for api.weixin.qq.com / qyapi.weixin.qq.com."""

    send_errcodes: list[int] = field(default_factory=list)  # errcode per send call, then 0
    sent: list[dict] = field(default_factory=list)
    token_fetches: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/"

    def start(self) -> FakeApiServer:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = urlparse(self.path).path
                if path.endswith(("/token", "/gettoken")):
                    api.token_fetches += 1
                    self._json({"access_token": "ACCESS_TOKEN_1", "expires_in": 7200})
                else:
                    self._json({"errcode": 404, "errmsg": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                query = parse_qs(urlparse(self.path).query)
                api.sent.append({"path": urlparse(self.path).path, "token": query.get("access_token", [""])[0],
                                 "body": body})
                errcode = api.send_errcodes.pop(0) if api.send_errcodes else 0
                self._json({"errcode": errcode, "errmsg": "ok" if errcode == 0 else "refused"})

            def _json(self, data: dict) -> None:
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
