"""The `wechat` channel mounted the way Rasa mounts it, driven over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time

import pytest
import xmltodict

from bot.channels import wechat_protocol as wp
from bot.channels.wechat import WeChatInput, wechat_config
from bot.channels.wechat_protocol import CallbackConfig
from tests.channels.conftest import FakeAgent
from tests.channels.helpers import (
    ACCOUNT,
    AES_KEY,
    APP_ID,
    OLD_AES_KEY,
    OPENID,
    TOKEN,
    decrypt_reply,
    encrypted_request,
    event_xml,
    signed_query,
    text_xml,
    xml_message,
)
from tests.channels.test_wechat_protocol import LAUGHS, XXE

URL = "/webhooks/wechat/webhook"


def plain_channel(**overrides) -> WeChatInput:
    return WeChatInput(CallbackConfig(token=TOKEN, receiver_id=APP_ID, **overrides))


def reply_content(body: str) -> str:
    reply = xmltodict.parse(body)["xml"]
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text"
    return reply["Content"]


@pytest.fixture
async def plain(serve):
    agent = FakeAgent()
    return await serve(plain_channel(), agent), agent


# ---------------------------------------------------------------- URL check

async def test_url_check_echoes_only_for_a_valid_signature(plain):
    client, _ = plain
    assert await client.get(URL, signed_query(echostr="8723498723")) == (200, "8723498723")
    assert (await client.get(URL, signed_query(token="wrong", echostr="1")))[0] == 403
    assert (await client.get(URL, {"echostr": "1", "timestamp": "1", "nonce": "n"}))[0] == 403
    assert (await client.get(URL, signed_query(timestamp=int(time.time()) - 600, echostr="1")))[0] == 403


# ---------------------------------------------------------------- rejected requests

async def test_signed_text_gets_a_passive_xml_reply(plain):
    client, agent = plain
    status, body = await client.post(URL, signed_query(), text_xml("我的医保断缴了怎么办"))
    assert status == 200 and reply_content(body) == "收到：我的医保断缴了怎么办"
    [message] = agent.received
    assert (message.sender_id, message.input_channel) == (f"wechat:{OPENID}", "wechat")  # server-made id


@pytest.mark.parametrize("query", [
    {},  # unsigned
    signed_query(token="forged-token"),
    {**signed_query(), "signature": "0" * 40},
    signed_query(timestamp=int(time.time()) - 301),  # stale (replayed) callback
    signed_query(timestamp=int(time.time()) + 3600),
])
async def test_unsigned_forged_and_stale_posts_are_403(plain, query):
    client, agent = plain
    status, _ = await client.post(URL, query, text_xml("你好"))
    assert status == 403 and agent.received == []


async def test_oversized_bodies_are_refused_before_parsing(plain):
    client, agent = plain
    huge = text_xml("医" * 30_000)  # > 64 KB
    assert (await client.post(URL, signed_query(), huge))[0] == 413

    async def chunks():  # no Content-Length: the streaming cap must stop it
        for _ in range(100):
            yield b"<xml>" + b"x" * 4096

    assert (await client.post(URL, signed_query(), chunks()))[0] == 413
    assert agent.received == []
    assert (await client.post(URL, signed_query(), text_xml("还在吗")))[0] == 200


@pytest.mark.parametrize("body", [XXE, LAUGHS, "garbage", "<xml><MsgType>text</MsgType></xml>",
                                  b"<xml>\xff\xfe</xml>", ""])
async def test_malicious_or_malformed_xml_is_400_never_500(plain, body):
    client, agent = plain
    status, text = await client.post(URL, signed_query(), body)
    assert status == 400 and "root:" not in text and agent.received == []


async def test_unconfigured_channel_refuses_everything(serve):
    client = await serve(WeChatInput(wechat_config({})), FakeAgent())
    assert (await client.post(URL, signed_query(token=""), text_xml("hi")))[0] == 403
    assert (await client.get(URL, signed_query(token="", echostr="1")))[0] == 403


async def test_internal_error_still_answers_success(serve):
    agent = FakeAgent(fail=True)
    client = await serve(plain_channel(), agent)
    assert await client.post(URL, signed_query(), text_xml("会出错", msg_id=5)) == (200, "success")
    assert await client.post(URL, signed_query(), text_xml("会出错", msg_id=5)) == (200, "success")
    assert len(agent.received) == 1  # the poison message is not run again


# ---------------------------------------------------------------- safe mode

@pytest.fixture
async def safe(serve):
    agent = FakeAgent()
    channel = plain_channel(aes_keys=(AES_KEY, OLD_AES_KEY))
    return await serve(channel, agent), agent


async def test_safe_mode_round_trip(safe):
    client, agent = safe
    query, body = encrypted_request(text_xml("异地就医怎么备案"))
    status, reply = await client.post(URL, query, body)
    assert status == 200
    assert reply_content_from(decrypt_reply(reply)) == "收到：异地就医怎么备案"
    assert agent.received[0].sender_id == f"wechat:{OPENID}"


def reply_content_from(inner: dict) -> str:
    assert inner["ToUserName"] == OPENID
    return inner["Content"]


async def test_key_rotation_previous_key_still_works_and_reply_uses_it(safe):
    client, _ = safe
    query, body = encrypted_request(text_xml("旧密钥", msg_id=77), aes_key=OLD_AES_KEY)
    status, reply = await client.post(URL, query, body)
    assert status == 200
    assert reply_content_from(decrypt_reply(reply, aes_key=OLD_AES_KEY)) == "收到：旧密钥"


async def test_safe_mode_refuses_forged_unknown_key_and_plain(safe):
    client, agent = safe
    query, body = encrypted_request(text_xml("x"))
    assert (await client.post(URL, {**query, "msg_signature": "0" * 40}, body))[0] == 403
    tampered = body.replace("<Encrypt><![CDATA[", "<Encrypt><![CDATA[AAAA")
    assert (await client.post(URL, query, tampered))[0] == 403  # msg_signature covers Encrypt
    unknown_key = "K" * 43
    q2, b2 = encrypted_request(text_xml("x"), aes_key=unknown_key)
    assert (await client.post(URL, q2, b2))[0] == 400
    assert (await client.post(URL, signed_query(), text_xml("降级")))[0] == 403  # no downgrade to plain
    stale_query, stale_body = encrypted_request(text_xml("x"), timestamp=int(time.time()) - 900)
    assert (await client.post(URL, stale_query, stale_body))[0] == 403
    assert agent.received == []


# ---------------------------------------------------------------- dedup and the 5-second window

async def test_same_msgid_twice_concurrently_is_processed_once(serve):
    agent = FakeAgent(delay=0.3)
    client = await serve(plain_channel(), agent)
    first, retry = await asyncio.gather(
        client.post(URL, signed_query(nonce="a1"), text_xml("缴费记录怎么查", msg_id=4242)),
        client.post(URL, signed_query(nonce="b2"), text_xml("缴费记录怎么查", msg_id=4242)),
    )
    assert first[0] == retry[0] == 200
    assert reply_content(first[1]) == reply_content(retry[1]) == "收到：缴费记录怎么查"
    assert len(agent.received) == 1
    later = await client.post(URL, signed_query(nonce="c3"), text_xml("缴费记录怎么查", msg_id=4242))
    assert reply_content(later[1]) == "收到：缴费记录怎么查" and len(agent.received) == 1


async def test_events_are_deduplicated_on_sender_and_create_time(serve):
    agent = FakeAgent()
    client = await serve(plain_channel(), agent)
    event = event_xml("CLICK", "MENU_BALANCE", create_time=int(time.time()))
    await asyncio.gather(*(client.post(URL, signed_query(), event) for _ in range(3)))
    assert agent.texts == ["/query_balance"]


async def test_slow_bot_answers_success_then_customer_service_api(serve, fake_api):
    agent = FakeAgent(delay=0.6, answer=lambda text: [{"text": "慢慢查好了"}, {"text": "还有别的吗？"}])
    channel = WeChatInput(wechat_config({"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID,
                                         "WECHAT_APP_SECRET": "s3cret", "WECHAT_API_BASE_URL": fake_api.base_url}))
    channel.coordinator.wait_seconds = 0.2  # stands in for the 4-second budget
    from bot.channels.wechat_protocol import official_account_sender

    channel.sender = official_account_sender(channel.config)
    client = await serve(channel, agent)
    assert await client.post(URL, signed_query(), text_xml("查一下余额", msg_id=9001)) == (200, "success")
    assert fake_api.sent == []  # not yet: the bot is still running, it was not cancelled
    retry = await client.post(URL, signed_query(), text_xml("查一下余额", msg_id=9001))
    assert retry == (200, "success")
    await channel.coordinator.drain()
    assert len(agent.received) == 1 and fake_api.token_fetches == 1
    [call] = fake_api.sent
    assert call["path"] == "/cgi-bin/message/custom/send" and call["token"] == "ACCESS_TOKEN_1"
    assert call["body"] == {"touser": OPENID, "msgtype": "text", "text": {"content": "慢慢查好了\n还有别的吗？"}}


async def test_slow_long_answer_is_sent_in_at_most_five_messages(serve, fake_api):
    long_answer = "\n".join(f"第{i}段：" + "报销材料包括发票、费用清单、出院小结。" * 3 for i in range(200))
    agent = FakeAgent(delay=0.3, answer=lambda text: [{"text": long_answer}])
    config = CallbackConfig(token=TOKEN, receiver_id=APP_ID, secret="s", api_base_url=fake_api.base_url,
                            wait_seconds=0.05)
    channel = WeChatInput(config, wp.official_account_sender(config))
    client = await serve(channel, agent)
    assert (await client.post(URL, signed_query(), text_xml("报销要什么材料", msg_id=1)))[1] == "success"
    await channel.coordinator.drain()
    contents = [call["body"]["text"]["content"] for call in fake_api.sent]
    assert len(contents) == 5 and all(wp.utf8_len(c) <= 2000 for c in contents)
    assert contents[-1].endswith("回复'继续'查看更多")
    status, body = await client.post(URL, signed_query(), text_xml("继续", msg_id=2))
    assert status == 200 and reply_content(body).startswith("第")
    assert len(agent.received) == 1


# ---------------------------------------------------------------- reply shape

async def test_long_reply_is_cut_and_continued(serve):
    paragraphs = [f"第{i}条：异地就医直接结算需要先备案，备案后在定点医院刷卡即可。" for i in range(35)]
    agent = FakeAgent(answer=lambda text: [{"text": p} for p in paragraphs])
    client = await serve(plain_channel(), agent)
    _, body = await client.post(URL, signed_query(), text_xml("异地就医", msg_id=1))
    first = reply_content(body)
    assert len(first.encode()) <= 2000 and first.endswith("回复'继续'查看更多")
    assert len(body.encode()) < 2400
    _, body = await client.post(URL, signed_query(), text_xml("继续", msg_id=2))
    second = reply_content(body)
    assert "第34条" in second and not second.endswith("查看更多")
    combined = first.removesuffix(wp.CONTINUE_NOTE) + second
    assert all(p in combined for p in paragraphs)
    _, body = await client.post(URL, signed_query(), text_xml("继续", msg_id=3))
    assert reply_content(body) == wp.NO_MORE_TEXT
    assert agent.texts == ["异地就医"]


async def test_cdata_terminator_in_bot_text_survives(serve):
    client = await serve(plain_channel(), FakeAgent(answer=lambda text: [{"text": "a]]><b>c"}]))
    _, body = await client.post(URL, signed_query(), text_xml("x"))
    assert reply_content(body) == "a]]><b>c"


async def test_slash_typed_by_user_does_not_reach_rasa_as_intent(plain):
    client, agent = plain
    await client.post(URL, signed_query(), text_xml('/human_handoff{"id_number":"1"}', msg_id=1))
    await client.post(URL, signed_query(), text_xml(" /greet", msg_id=2))
    assert [t[0] for t in agent.texts] == ["／", "／"]


async def test_buttons_become_numbered_options_and_numbers_choose(serve):
    def answer(text):
        if text == "/query_balance":
            return [{"text": "正在为您查询余额"}]
        return [{"text": "请选择：", "buttons": [{"title": "查余额", "payload": "/query_balance"},
                                               {"title": "转人工", "payload": "/human_handoff"}]}]

    agent = FakeAgent(answer=answer)
    client = await serve(plain_channel(), agent)
    _, body = await client.post(URL, signed_query(), text_xml("菜单", msg_id=1))
    assert reply_content(body) == "请选择：\n回复1 查余额\n回复2 转人工"
    _, body = await client.post(URL, signed_query(), text_xml("1", msg_id=2))
    assert reply_content(body) == "正在为您查询余额"
    assert agent.texts == ["/help", "/query_balance"]


async def test_voice_image_subscribe_and_click(serve):
    agent = FakeAgent(answer=lambda text: [{"text": "菜单：", "buttons": [{"title": "查余额", "payload": "/q"}]}]
                      if text == "/help" else [{"text": f"答：{text}"}])
    client = await serve(plain_channel(), agent)

    def voice(recognition: str, msg_id: int) -> str:
        return xml_message({"ToUserName": ACCOUNT, "FromUserName": OPENID, "CreateTime": int(time.time()),
                            "MsgType": "voice", "MediaId": "m", "Format": "amr", "Recognition": recognition,
                            "MsgId": msg_id})

    _, body = await client.post(URL, signed_query(), voice("医保卡丢了", 1))
    assert reply_content(body) == "答：医保卡丢了"
    _, body = await client.post(URL, signed_query(), voice("", 2))
    assert reply_content(body) == wp.VOICE_UNRECOGNISED_TEXT and "打字" in wp.VOICE_UNRECOGNISED_TEXT
    image = xml_message({"ToUserName": ACCOUNT, "FromUserName": OPENID, "CreateTime": 1, "MsgType": "image",
                         "PicUrl": "http://mmbiz/x.jpg", "MediaId": "m", "MsgId": 3})
    _, body = await client.post(URL, signed_query(), image)
    assert "目前只支持文字" in reply_content(body)
    _, body = await client.post(URL, signed_query(), event_xml("subscribe"))
    assert reply_content(body) == f"{wp.WELCOME_TEXT}\n菜单：\n回复1 查余额"
    _, body = await client.post(URL, signed_query(), event_xml("CLICK", "MENU_LAPSE", create_time=123))
    assert reply_content(body) == "答：/lapse"
    assert await client.post(URL, signed_query(), event_xml("unsubscribe", create_time=124)) == (200, "success")
    assert agent.texts == ["医保卡丢了", "/help", "/lapse"]


def test_channel_identity_and_env_settings(monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN", TOKEN)
    monkeypatch.setenv("WECHAT_APP_ID", APP_ID)
    monkeypatch.setenv("WECHAT_APP_SECRET", "secret")
    monkeypatch.setenv("WECHAT_AES_KEY", AES_KEY)
    monkeypatch.setenv("WECHAT_AES_KEY_PREVIOUS", OLD_AES_KEY)
    channel = WeChatInput.from_credentials(None)
    assert WeChatInput.name() == "wechat" and channel.url_prefix() == "wechat"
    assert channel.config.aes_keys == (AES_KEY, OLD_AES_KEY) and channel.sender is not None


def test_credentials_module_path_resolves():
    from rasa.shared.utils.common import class_from_module_path

    assert class_from_module_path("bot.channels.wechat.WeChatInput") is WeChatInput
