"""WeCom (企业微信) self-built app webhook: Rasa channel `wecom` at /webhooks/wecom/webhook.

Always encrypted. Settings from the environment: WECOM_TOKEN, WECOM_CORP_ID, WECOM_AES_KEY
(WECOM_AES_KEY_PREVIOUS while keys rotate), WECOM_AGENT_ID and WECOM_SECRET (for late replies
through message/send), optional REDIS_URL and WECOM_API_BASE_URL. The URL check decrypts
`echostr`; everything else (dedup, the 5-second window, the 2000-byte cut) is the shared
CallbackChannel from bot/channels/wechat.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from wechatpy.enterprise import parse_message as parse_wecom_message
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto

from bot.channels.wechat import CallbackChannel
from bot.channels.wechat_protocol import (
    CallbackConfig,
    CallbackQuery,
    RequestRejected,
    verify_signature,
    verify_timestamp,
    wecom_sender,
)
from bot.runtime.startup import prepare_rasa_server


def wecom_config(env: Mapping[str, str]) -> CallbackConfig:
    current = env.get("WECOM_AES_KEY", "").strip()
    previous = env.get("WECOM_AES_KEY_PREVIOUS", "").strip()
    return CallbackConfig(
        token=env.get("WECOM_TOKEN", "").strip(),
        receiver_id=env.get("WECOM_CORP_ID", "").strip(),
        aes_keys=tuple(key for key in (current, previous) if key) if current else (),
        always_encrypted=True,
        secret=env.get("WECOM_SECRET", "").strip(),
        agent_id=env.get("WECOM_AGENT_ID", "").strip(),
        redis_url=env.get("REDIS_URL", "").strip(),
        api_base_url=env.get("WECOM_API_BASE_URL", "").strip(),
    )


class WeComInput(CallbackChannel):
    """WeCom app callbacks; the conversation id is "wecom:<UserID>"."""

    parser: Callable[[str], Any] = staticmethod(parse_wecom_message)
    crypto_class: type = WeComCrypto

    @classmethod
    def name(cls) -> str:
        return "wecom"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeComInput:
        prepare_rasa_server()
        config = wecom_config(os.environ)
        return cls(config, wecom_sender(config))

    def verify_url(self, query: CallbackQuery) -> str:
        """URL check: msg_signature covers the encrypted echostr; answer with its plaintext."""
        self._require_configured()
        if not query.echostr:
            raise RequestRejected(400, "missing echostr")
        verify_signature(query.msg_signature, self.config.token, query.timestamp, query.nonce, query.echostr)
        verify_timestamp(query.timestamp)
        plain, _ = self.cipher.decrypt(query.echostr, query.msg_signature, query.timestamp, query.nonce)
        return plain
