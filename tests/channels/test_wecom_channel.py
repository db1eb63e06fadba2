"""The `wecom` channel (企业微信 self-built app): always encrypted, same dedup / window / cut rules."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.channels import wechat_protocol as wp
from bot.channels.wecom import WeComInput, wecom_config
from tests.channels.conftest import FakeAgent
from tests.channels.helpers import (
    AES_KEY,
    CORP_ID,
    OLD_AES_KEY,
    TOKEN,
    decrypt_reply,
    encrypt_like_wechat,
    encrypted_request,
    sha1_signature,
    signed_query,
    xml_message,
)

URL = "/webhooks/wecom/webhook"
USER_ID = "ZhangSan"


def wecom_env(**extra: str) -> dict:
    return {"WECOM_TOKEN": TOKEN, "WECOM_CORP_ID": CORP_ID, "WECOM_AES_KEY": AES_KEY, **extra}


def wecom_text(content: str, msg_id: int = 1) -> str:
    return xml_message({"ToUserName": CORP_ID, "FromUserName": USER_ID, "CreateTime": int(time.time()),
                        "MsgType": "text", "Content": content, "MsgId": msg_id, "AgentID": 1000002})


def request(xml: str, **kwargs) -> tuple[dict, str]:
    return encrypted_request(xml, receiver=CORP_ID, wecom=True, **kwargs)


def content_of(body: str, aes_key: str = AES_KEY) -> str:
    inner = decrypt_reply(body, aes_key=aes_key, receiver=CORP_ID, wecom=True)
    assert inner["ToUserName"] == USER_ID and inner["FromUserName"] == CORP_ID
    return inner["Content"]


@pytest.fixture
async def wecom(serve):
    agent = FakeAgent()
    return await serve(WeComInput(wecom_config(wecom_env(WECOM_AES_KEY_PREVIOUS=OLD_AES_KEY))), agent), agent


async def test_url_check_returns_decrypted_echostr(wecom):
    client, _ = wecom
    echostr = encrypt_like_wechat("1234567890123456789", AES_KEY, CORP_ID, wecom=True)
    ts, nonce = str(int(time.time())), "nn"
    query = {"msg_signature": sha1_signature(TOKEN, ts, nonce, echostr), "timestamp": ts, "nonce": nonce,
             "echostr": echostr}
    assert await client.get(URL, query) == (200, "1234567890123456789")
    assert (await client.get(URL, {**query, "msg_signature": "f" * 40}))[0] == 403
    assert (await client.get(URL, signed_query(echostr="plain")))[0] == 403  # plain-mode check refused


async def test_encrypted_round_trip_and_rotation(wecom):
    client, agent = wecom
    status, body = await client.post(URL, *request(wecom_text("医保转移怎么办", 1)))
    assert status == 200 and content_of(body) == "收到：医保转移怎么办"
    status, body = await client.post(URL, *request(wecom_text("旧密钥", 2), aes_key=OLD_AES_KEY))
    assert status == 200 and content_of(body, OLD_AES_KEY) == "收到：旧密钥"
    assert [(m.sender_id, m.input_channel) for m in agent.received] == [(f"wecom:{USER_ID}", "wecom")] * 2


async def test_rejections(wecom):
    client, agent = wecom
    query, body = request(wecom_text("x"))
    assert (await client.post(URL, {**query, "msg_signature": "0" * 40}, body))[0] == 403
    assert (await client.post(URL, query, wecom_text("明文")))[0] == 400  # always encrypted
    assert (await client.post(URL, query, body + " " * 70_000))[0] == 413
    stale = request(wecom_text("x"), timestamp=int(time.time()) - 400)
    assert (await client.post(URL, *stale))[0] == 403
    wrong_corp = encrypted_request(wecom_text("x"), receiver="ww_other", wecom=True)
    assert (await client.post(URL, *wrong_corp))[0] == 400  # decryption checks the CorpID
    assert agent.received == []


async def test_missing_aes_key_disables_the_channel(serve):
    client = await serve(WeComInput(wecom_config({"WECOM_TOKEN": TOKEN, "WECOM_CORP_ID": CORP_ID})), FakeAgent())
    assert (await client.post(URL, *request(wecom_text("x"))))[0] == 403


async def test_dedup_and_cut(serve):
    agent = FakeAgent(delay=0.2, answer=lambda text: [{"text": "长" * 1000}])
    client = await serve(WeComInput(wecom_config(wecom_env())), agent)
    first, retry = await asyncio.gather(client.post(URL, *request(wecom_text("问", 55))),
                                        client.post(URL, *request(wecom_text("问", 55), nonce="other")))
    assert content_of(first[1]) == content_of(retry[1])
    assert len(content_of(first[1]).encode()) <= 2000 and len(agent.received) == 1
    _, body = await client.post(URL, *request(wecom_text("继续", 56)))
    assert content_of(body) == "长" * (1000 - len(content_of(first[1]).removesuffix(wp.CONTINUE_NOTE)))


async def test_slow_answer_goes_through_message_send(serve, fake_api):
    agent = FakeAgent(delay=0.4, answer=lambda text: [{"text": "稍后答复"}])
    config = wecom_config(wecom_env(WECOM_SECRET="corpsecret", WECOM_AGENT_ID="1000002",
                                    WECOM_API_BASE_URL=fake_api.base_url))
    channel = WeComInput(config, wp.wecom_sender(config))
    channel.coordinator.wait_seconds = 0.1
    client = await serve(channel, agent)
    assert await client.post(URL, *request(wecom_text("慢", 1))) == (200, "success")
    await channel.coordinator.drain()
    [call] = fake_api.sent
    assert call["path"] == "/cgi-bin/message/send" and call["token"] == "ACCESS_TOKEN_1"
    assert call["body"]["touser"] == USER_ID and call["body"]["agentid"] == 1000002
    assert call["body"]["text"] == {"content": "稍后答复"}


def test_from_credentials_reads_env(monkeypatch):
    for name, value in wecom_env(WECOM_SECRET="s", WECOM_AGENT_ID="1").items():
        monkeypatch.setenv(name, value)
    channel = WeComInput.from_credentials(None)
    assert WeComInput.name() == "wecom" and channel.config.always_encrypted and channel.sender is not None
    from rasa.shared.utils.common import class_from_module_path

    assert class_from_module_path("bot.channels.wecom.WeComInput") is WeComInput
