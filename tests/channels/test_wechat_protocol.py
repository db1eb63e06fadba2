"""Unit tests of the Rasa-independent protocol pieces."""

from __future__ import annotations

import asyncio
import logging

import pytest
import wechatpy
import xmltodict
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy.utils import check_signature

from bot.channels import wechat_protocol as wp
from tests.channels.helpers import (
    AES_KEY,
    APP_ID,
    OLD_AES_KEY,
    OPENID,
    TOKEN,
    encrypt_like_wechat,
    event_xml,
    sha1_signature,
    text_xml,
    xml_message,
)

XXE = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       f'<xml><ToUserName>a</ToUserName><FromUserName>{OPENID}</FromUserName><CreateTime>1</CreateTime>'
       '<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                    for i in range(1, 10))
          + f']><xml><FromUserName>{OPENID}</FromUserName><MsgType>text</MsgType><Content>&lol9;</Content></xml>')


# ---------------------------------------------------------------- signatures and timestamps

def test_signature_matches_wechatpy_and_wechat_scheme():
    signature = wp.make_signature(TOKEN, "1700000000", "nonce")
    check_signature(TOKEN, signature, "1700000000", "nonce")  # wechatpy agrees
    assert signature == sha1_signature(TOKEN, "1700000000", "nonce")
    wp.verify_signature(signature, TOKEN, "1700000000", "nonce")


@pytest.mark.parametrize("signature", ["", "0" * 40, "签名" * 20, sha1_signature("other", "1", "n")])
def test_forged_or_missing_signature_is_403(signature):
    with pytest.raises(wp.RequestRejected) as rejected:
        wp.verify_signature(signature, TOKEN, "1", "n")
    assert rejected.value.status == 403


def test_empty_token_never_verifies():
    with pytest.raises(wp.RequestRejected):
        wp.verify_signature(sha1_signature("", "1", "n"), "", "1", "n")


def test_timestamp_window():
    now = 1_800_000_000
    wp.verify_timestamp(str(now - 119), now=now)
    for stale in (now - 121, now + 121):  # issue #11: a captured signature is worth at most 2 minutes
        with pytest.raises(wp.RequestRejected) as rejected:
            wp.verify_timestamp(str(stale), now=now)
        assert rejected.value.status == 403
    for bad in ("", "abc", "１２３", "1" * 20):
        with pytest.raises(wp.RequestRejected) as rejected:
            wp.verify_timestamp(bad, now=now)
        assert rejected.value.status == 400


def test_body_size_header_check():
    wp.check_body_size(str(wp.MAX_BODY_BYTES))
    for bad in (str(wp.MAX_BODY_BYTES + 1), "-1", "lots"):
        with pytest.raises(wp.RequestRejected) as rejected:
            wp.check_body_size(bad)
        assert rejected.value.status == 413


# ---------------------------------------------------------------- XML

def test_xmltodict_itself_rejects_entity_declarations():
    """The pin xmltodict>=1.0.1 is a defence on its own, behind our DTD check."""
    for document in (XXE, LAUGHS):
        with pytest.raises(ValueError):
            xmltodict.parse(document)
        with pytest.raises(ValueError):
            wechatpy.parse_message(document)


@pytest.mark.parametrize("document", [XXE, LAUGHS, "<xml><MsgType>text", "not xml", "<xml></xml>",
                                      "<xml><FromUserName>u</FromUserName></xml>"])
def test_bad_xml_is_400(document):
    with pytest.raises(wp.RequestRejected) as rejected:
        wp.parse_callback_xml(document)
    assert rejected.value.status == 400


def test_parse_text_message():
    message = wp.parse_callback_xml(text_xml("你好", msg_id=42))
    assert (message.type, message.source, message.content, message.id) == ("text", OPENID, "你好", 42)


def test_reply_escapes_cdata_terminator_and_control_characters():
    content = "a]]>b<c>&d\x01e"
    reply = xmltodict.parse(wp.render_text_reply(OPENID, "gh_x", content, 1))["xml"]
    assert reply["Content"] == "a]]>b<c>&de"
    assert reply["ToUserName"] == OPENID and reply["MsgType"] == "text"


def test_extract_encrypt_without_parsing():
    assert wp.extract_encrypt(b"<xml><Encrypt><![CDATA[QUJDREVGR0hJSktMTU5PUA==]]></Encrypt></xml>") \
        == "QUJDREVGR0hJSktMTU5PUA=="
    with pytest.raises(wp.RequestRejected):
        wp.extract_encrypt(b"<xml><Encrypt>&lol;</Encrypt></xml>")


# ---------------------------------------------------------------- crypto

def test_cipher_round_trip_and_rotation():
    cipher = wp.MessageCipher(TOKEN, (AES_KEY, OLD_AES_KEY), APP_ID)
    for key, expected_index in ((AES_KEY, 0), (OLD_AES_KEY, 1)):
        encrypt = encrypt_like_wechat(text_xml("轮换"), key)
        signature = sha1_signature(TOKEN, "1", "n", encrypt)
        xml, index = cipher.decrypt(encrypt, signature, "1", "n")
        assert index == expected_index and "轮换" in xml
        reply = cipher.encrypt("<xml>r</xml>", "n", "2", key_index=index)
        inner = wp.MessageCipher(TOKEN, (key,), APP_ID).decrypt(
            xmltodict.parse(reply)["xml"]["Encrypt"], xmltodict.parse(reply)["xml"]["MsgSignature"], "2", "n")
        assert inner == ("<xml>r</xml>", 0)


def test_cipher_rejects_unknown_key_and_bad_signature():
    cipher = wp.MessageCipher(TOKEN, (AES_KEY,), APP_ID)
    encrypt = encrypt_like_wechat(text_xml("x"), OLD_AES_KEY)
    with pytest.raises(wp.RequestRejected) as rejected:
        cipher.decrypt(encrypt, sha1_signature(TOKEN, "1", "n", encrypt), "1", "n")
    assert rejected.value.status == 400
    with pytest.raises(wp.RequestRejected) as rejected:
        cipher.decrypt(encrypt, "0" * 40, "1", "n")
    assert rejected.value.status == 403


def test_invalid_aes_key_is_refused():
    for key in ("short", AES_KEY + "x", "!" * 43):
        with pytest.raises(ValueError):
            wp.validate_aes_key(key)


# ---------------------------------------------------------------- message types

def parse(xml: str):
    return wp.parse_callback_xml(xml)


def test_classify_text_escapes_intent_syntax():
    assert wp.classify_message(parse(text_xml("/greet"))) == wp.Inbound("rasa", "／greet")
    assert wp.classify_message(parse(text_xml('  /human_handoff{"x":1}'))).text.startswith("／human_handoff")
    assert wp.classify_message(parse(text_xml("断缴了/怎么办"))).text == "断缴了/怎么办"
    assert wp.classify_message(parse(text_xml("  "))).kind == "reply"


def test_classify_voice_image_location_events():
    voice = xml_message({"ToUserName": "gh", "FromUserName": OPENID, "CreateTime": 1, "MsgType": "voice",
                         "MediaId": "m", "Format": "amr", "Recognition": "医保卡丢了怎么办", "MsgId": 7})
    assert wp.classify_message(parse(voice)) == wp.Inbound("rasa", "医保卡丢了怎么办")
    silent = voice.replace("医保卡丢了怎么办", "")
    assert wp.classify_message(parse(silent)) == wp.Inbound("reply", wp.VOICE_UNRECOGNISED_TEXT)
    for kind, extra in (("image", {"PicUrl": "http://x", "MediaId": "m"}),
                        ("location", {"Location_X": "30.5", "Location_Y": "114.3", "Label": "武汉"}),
                        ("video", {"MediaId": "m"})):
        xml = xml_message({"ToUserName": "gh", "FromUserName": OPENID, "CreateTime": 1, "MsgType": kind,
                           **extra, "MsgId": 8})
        assert wp.classify_message(parse(xml)) == wp.Inbound("reply", wp.UNSUPPORTED_TEXT)
    assert "目前只支持文字" in wp.UNSUPPORTED_TEXT
    subscribe = wp.classify_message(parse(event_xml("subscribe")))
    assert (subscribe.text, subscribe.prefix, subscribe.trusted) == ("/help", wp.WELCOME_TEXT, True)
    assert wp.classify_message(parse(event_xml("CLICK", "MENU_BALANCE"))).text == "/query_balance"
    assert wp.classify_message(parse(event_xml("CLICK", "NO_SUCH_KEY"))).text == "/help"
    assert wp.classify_message(parse(event_xml("unsubscribe"))).kind == "ignore"
    assert wp.classify_message(parse(event_xml("VIEW", "https://example.org"))).kind == "ignore"


def test_click_table_targets_known_intents():
    import yaml

    from tests.support.assistant import ROOT

    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    assert set(wp.MENU_CLICK_INTENTS.values()) <= intents


def test_dedup_keys():
    assert wp.dedup_key(parse(text_xml("a", msg_id=99))) == "msg:gh_yibao_account:99"
    event = parse(event_xml("subscribe", create_time=1700000000))
    assert wp.dedup_key(event) == f"event:{OPENID}:1700000000"


# ---------------------------------------------------------------- reply length

def test_paginate_cuts_at_2000_bytes_with_continuation():
    text = "\n".join(f"第{i}条：异地就医备案需要提供身份证、医保卡和就医证明。" for i in range(80))
    page, rest = wp.paginate(text)
    assert wp.utf8_len(page) <= 2000 < wp.utf8_len(text)
    assert page.endswith("回复'继续'查看更多")
    assert text.startswith(page[: -len(wp.CONTINUE_NOTE)]) and text.endswith(rest)
    assert wp.paginate("短回复") == ("短回复", "")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=3000))
def test_pages_never_exceed_limit_and_lose_nothing(text):
    pages, rest = wp.split_pages(text, max_pages=100)
    assert rest == ""
    assert all(wp.utf8_len(page) <= wp.REPLY_BYTE_LIMIT for page in pages)
    body = "".join(page.removesuffix(wp.CONTINUE_NOTE) for page in pages)
    assert "".join(body.split()) == "".join(text.split())


def test_render_bot_messages_numbers_buttons():
    text, buttons = wp.render_bot_messages([
        {"text": "您想查询哪一项？", "buttons": [{"title": "查余额", "payload": "/query_balance"},
                                          {"title": "缴费记录", "payload": "/query_payment_records"}]},
        {"text": "也可以直接打字提问。"},
    ])
    assert text == "您想查询哪一项？\n回复1 查余额\n回复2 缴费记录\n也可以直接打字提问。"
    assert [b["payload"] for b in buttons] == ["/query_balance", "/query_payment_records"]


# ---------------------------------------------------------------- dedup and the 5-second window

async def test_concurrent_retries_process_once_and_share_the_reply():
    coordinator = wp.ReplyCoordinator(wp.MemoryDedupStore(), wait_seconds=2)
    calls, delivered = [], []

    async def work():
        calls.append(1)
        await asyncio.sleep(0.2)
        return "答复"

    async def finish(full):
        return f"[{full}]"

    async def deliver(full):
        delivered.append(full)

    results = await asyncio.gather(*(coordinator.respond("msg:1", work, finish, deliver) for _ in range(3)))
    await coordinator.drain()
    assert results == ["[答复]"] * 3 and calls == [1] and delivered == []
    late_retry = await coordinator.respond("msg:1", work, finish, deliver)
    assert late_retry == "[答复]" and calls == [1]


async def test_slow_work_goes_async_exactly_once_even_with_retries():
    coordinator = wp.ReplyCoordinator(wp.MemoryDedupStore(), wait_seconds=0.1)
    delivered, calls = [], []

    async def work():
        calls.append(1)
        await asyncio.sleep(0.4)
        return "慢答复"

    async def finish(full):
        return full

    async def deliver(full):
        delivered.append(full)

    first = await coordinator.respond("msg:2", work, finish, deliver)
    retry = await coordinator.respond("msg:2", work, finish, deliver)
    await coordinator.drain()
    assert (first, retry) == (None, None)
    assert delivered == ["慢答复"] and calls == [1]
    assert await coordinator.respond("msg:2", work, finish, deliver) is None  # no second passive copy


async def test_failing_work_answers_success_and_is_not_retried(caplog):
    coordinator = wp.ReplyCoordinator(wp.MemoryDedupStore(), wait_seconds=1)
    calls = []

    async def work():
        calls.append(1)
        raise RuntimeError("boom")

    async def unused(full):
        raise AssertionError

    with caplog.at_level(logging.ERROR):
        assert await coordinator.respond("msg:3", work, unused, unused) is None
        assert await coordinator.respond("msg:3", work, unused, unused) is None
    await coordinator.drain()
    assert calls == [1] and "boom" in caplog.text


async def test_continuations_in_memory():
    store = wp.MemoryContinuations(ttl=60)
    await store.put("u", "下一页")
    assert await store.pop("u") == "下一页"
    assert await store.pop("u") is None
    expired = wp.MemoryContinuations(ttl=-1)
    await expired.put("u", "x")
    assert await expired.pop("u") is None


# ---------------------------------------------------------------- customer-service sender (HTTP faked locally)

def make_sender(fake_api, app_id: str = APP_ID):
    config = wp.CallbackConfig(token=TOKEN, receiver_id=app_id, secret="s3cret", api_base_url=fake_api.base_url)
    return wp.official_account_sender(config)


async def test_sender_caps_at_five_messages_and_shares_the_token(fake_api):
    sender = make_sender(fake_api)
    assert await sender.deliver(OPENID, [f"第{i}页" for i in range(7)]) == 5
    assert [call["body"]["text"]["content"] for call in fake_api.sent] == [f"第{i}页" for i in range(5)]
    assert {call["path"] for call in fake_api.sent} == {"/cgi-bin/message/custom/send"}
    assert fake_api.token_fetches == 1
    assert await make_sender(fake_api).deliver(OPENID, ["再来一条"]) == 1  # a second client reuses the token
    assert fake_api.token_fetches == 1 and fake_api.sent[-1]["token"] == "ACCESS_TOKEN_1"


@pytest.mark.parametrize("errcode, level", [(45015, logging.WARNING), (45047, logging.WARNING),
                                            (40003, logging.ERROR)])
async def test_sender_handles_quota_errors(fake_api, caplog, errcode, level):
    fake_api.send_errcodes = [0, errcode]
    with caplog.at_level(logging.WARNING, logger="bot.channels.wechat_protocol"):
        assert await make_sender(fake_api).deliver(OPENID, ["一", "二", "三"]) == 1
    assert len(fake_api.sent) == 2
    record = [r for r in caplog.records if str(errcode) in r.getMessage()][0]
    assert record.levelno == level
    assert OPENID not in caplog.text  # OpenIDs are masked in logs


def test_config_enabled_rules():
    assert not wp.CallbackConfig(token="", receiver_id=APP_ID).enabled
    assert wp.CallbackConfig(token=TOKEN, receiver_id="").enabled
    assert not wp.CallbackConfig(token=TOKEN, receiver_id="", aes_keys=(AES_KEY,)).enabled
    assert not wp.CallbackConfig(token=TOKEN, receiver_id=APP_ID, always_encrypted=True).enabled
