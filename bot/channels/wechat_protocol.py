"""WeChat Official Account / WeCom callback protocol, independent of Rasa and Sanic.

Everything the two webhook channels share lives here: signature and timestamp checks, the body
cap, AES safe-mode decryption with a key-rotation fallback, XML parsing, turning a WeChat message
into "what to ask the bot", rendering a passive reply within WeChat's 2048-byte limit, the per-user
"继续" continuation, retry deduplication and the 5-second passive/asynchronous decision, and the
customer-service sender used when the bot is too slow for a passive reply.

wechatpy's own helpers are used for AES and parsing, but not for signatures (they compare with
`!=`, not in constant time) and not for reply XML (wechatpy does not escape "]]>" inside CDATA).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
import wechatpy
from wechatpy.client import WeChatClient
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.client import WeChatClient as WeComClientBase
from wechatpy.exceptions import InvalidSignatureException, WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage

from bot.channels.numbered import render_message_texts  # plain Python, no Rasa import
from bot.channels.sealed import seal, unseal

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
# A callback older (or newer) than this is refused. WeChat retries within ~15 s; 120 s leaves room for
# clock skew and bounds how long a captured signature is worth anything (bot/channels/replay.py).
TIMESTAMP_WINDOW_SECONDS = 120
REPLY_BYTE_LIMIT = 2000  # WeChat silently drops text replies over 2048 bytes
PASSIVE_WAIT_SECONDS = 4.0  # WeChat gives up after 5 s; leave room for the network
MAX_ASYNC_MESSAGES = 5  # customer-service quota per user message
MAX_TEXT_CHARS = 1000
DEDUP_TTL_SECONDS = 600
CONTINUATION_TTL_SECONDS = 3600
SUCCESS = "success"
MENU_PAYLOAD = "/help"
FULLWIDTH_SLASH = "／"

CONTINUE_NOTE = "\n……\n回复'继续'查看更多"
CONTINUE_WORDS = frozenset({"继续", "更多", "下一页", "继续看"})
WELCOME_TEXT = "您好，欢迎关注医保助手！我可以解答断缴、转移、异地就医、报销等医保问题，也可以帮您查询余额和缴费记录。"
UNSUPPORTED_TEXT = "目前只支持文字消息，请直接打字提问，例如「异地就医怎么备案」。回复「菜单」可查看全部功能。"
VOICE_UNRECOGNISED_TEXT = "抱歉，这条语音没能识别出来。请您打字提问，例如「医保卡丢了怎么办」。回复「菜单」可查看全部功能。"
EMPTY_TEXT = "请输入您想咨询的医保问题，例如「异地就医怎么备案」。回复「菜单」可查看全部功能。"
TOO_LONG_TEXT = f"您的消息太长了（超过{MAX_TEXT_CHARS}字），请精简后分几次发送，我会逐条为您解答。"
NO_MORE_TEXT = "没有更多内容了。回复「菜单」可查看全部功能。"

# Custom-menu CLICK EventKey -> intent. Menu buttons are configured in the WeChat admin console
# with these keys (at most 3 top-level entries x 5 sub-entries).
MENU_CLICK_INTENTS: Mapping[str, str] = {
    "MENU_BALANCE": "query_balance",
    "MENU_PAYMENTS": "query_payment_records",
    "MENU_LAPSE": "lapse",
    "MENU_TRANSFER": "transfer",
    "MENU_REMOTE_CARE": "remote_care",
    "MENU_CLAIM": "claim_process",
    "MENU_RATE": "reimbursement_rate",
    "MENU_CARD": "card_service",
    "MENU_E_VOUCHER": "e_voucher",
    "MENU_ENROLLMENT": "enrollment",
    "MENU_FAMILY": "family_account",
    "MENU_HUMAN": "human_handoff",
    "MENU_HELP": "help",
}

_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_ENCRYPT = re.compile(rb"<Encrypt>\s*(?:<!\[CDATA\[)?\s*([A-Za-z0-9+/=]{16,})\s*(?:\]\]>)?\s*</Encrypt>")
_DTD = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class RequestRejected(Exception):
    """A callback that must not be processed; `status` is the HTTP answer (400/403/413)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# ---------------------------------------------------------------- configuration


@dataclass(frozen=True)
class CallbackConfig:
    """What one webhook needs to authenticate callbacks. aes_keys: current key first."""

    token: str
    receiver_id: str  # AppID (Official Account) or CorpID (WeCom)
    aes_keys: tuple[str, ...] = ()
    always_encrypted: bool = False
    secret: str = ""
    agent_id: str = ""
    redis_url: str = ""
    api_base_url: str = ""
    wait_seconds: float = PASSIVE_WAIT_SECONDS

    @property
    def enabled(self) -> bool:
        # an empty token would make signatures forgeable: such a channel rejects everything
        if not self.token:
            return False
        if self.aes_keys:
            return bool(self.receiver_id)  # decryption checks the AppID / CorpID
        return not self.always_encrypted


def validate_aes_key(key: str) -> str:
    """EncodingAESKey is 43 base64 characters encoding 32 bytes."""
    try:
        raw = base64.b64decode(key + "=", validate=True)
    except ValueError as error:
        raise ValueError("EncodingAESKey is not base64") from error
    if len(key) != 43 or len(raw) != 32:
        raise ValueError("EncodingAESKey must be 43 characters (32 bytes)")
    return key


# ---------------------------------------------------------------- request authentication


@dataclass(frozen=True)
class CallbackQuery:
    """The query string WeChat adds to every callback."""

    signature: str = ""
    msg_signature: str = ""
    timestamp: str = ""
    nonce: str = ""
    echostr: str = ""
    encrypt_type: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> CallbackQuery:
        values = {name: args.get(name) or "" for name in cls.__dataclass_fields__}
        return cls(**{name: value if isinstance(value, str) else "" for name, value in values.items()})


def make_signature(*parts: str) -> str:
    """sha1 of the sorted parts joined (the scheme of both signature and msg_signature)."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def verify_signature(signature: str, token: str, *parts: str) -> None:
    """Raises RequestRejected(403) unless `signature` matches, compared in constant time."""
    expected = make_signature(token, *parts).encode("ascii")
    if not token or not signature or not hmac.compare_digest(expected, signature.encode("utf-8")):
        raise RequestRejected(403, "invalid signature")


def verify_timestamp(timestamp: str, now: float | None = None, window: int = TIMESTAMP_WINDOW_SECONDS) -> None:
    """The signature does not expire by itself: reject callbacks older (or newer) than the window."""
    if not _TIMESTAMP.match(timestamp or ""):
        raise RequestRejected(400, "bad timestamp")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window:
        raise RequestRejected(403, "stale timestamp")


def check_body_size(content_length: str | None, limit: int = MAX_BODY_BYTES) -> None:
    if content_length and (not content_length.isdigit() or int(content_length) > limit):
        raise RequestRejected(413, "body too large")


def extract_encrypt(body: bytes) -> str:
    """The Encrypt field, found without parsing XML that is not authenticated yet."""
    match = _ENCRYPT.search(body)
    if not match:
        raise RequestRejected(400, "missing Encrypt")
    return match.group(1).decode("ascii")


def decode_body(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestRejected(400, "body is not UTF-8") from error


class MessageCipher:
    """Safe-mode AES with the previous EncodingAESKey as a fallback while keys rotate."""

    def __init__(self, token: str, aes_keys: Sequence[str], receiver_id: str,
                 crypto_class: type = WeChatCrypto) -> None:
        self._cryptos = [crypto_class(token, validate_aes_key(key), receiver_id) for key in aes_keys]

    def decrypt(self, encrypt: str, signature: str, timestamp: str, nonce: str) -> tuple[str, int]:
        """Plaintext and the index of the key that worked (the reply must use the same key)."""
        for index, crypto in enumerate(self._cryptos):
            try:
                return crypto.decrypt_message({"Encrypt": encrypt}, signature, timestamp, nonce), index
            except InvalidSignatureException as error:
                raise RequestRejected(403, "invalid msg_signature") from error
            except Exception:  # noqa: BLE001 - a wrong key yields garbage in many ways; try the next
                continue
        raise RequestRejected(400, "cannot decrypt")

    def encrypt(self, xml: str, nonce: str, timestamp: str | None = None, key_index: int = 0) -> str:
        return self._cryptos[key_index].encrypt_message(xml, nonce, timestamp or str(int(time.time())))


def parse_callback_xml(xml: str, parser: Callable[[str], Any] = wechatpy.parse_message) -> Any:
    """wechatpy message object; any DTD is refused (xmltodict >= 1.0.1 also rejects entities)."""
    if _DTD.search(xml):
        raise RequestRejected(400, "DTD not allowed")
    try:
        message = parser(xml)
    except Exception as error:  # noqa: BLE001 - ExpatError, ValueError (entities), KeyError, ...
        raise RequestRejected(400, "malformed XML") from error
    if message is None or not getattr(message, "source", None):
        raise RequestRejected(400, "not a callback message")
    return message


# ---------------------------------------------------------------- what to ask the bot


@dataclass(frozen=True)
class Inbound:
    """What a WeChat message means for the bot: run it ("rasa"), answer directly, or ignore."""

    kind: str  # "rasa" | "reply" | "ignore"
    text: str = ""
    prefix: str = ""  # shown before the bot's answer (the welcome on subscribe)
    trusted: bool = False  # built by us (menu click), may use the "/intent" syntax


def clean_text(text: str) -> str:
    """Drops control characters (keeps line breaks) and surrounding whitespace."""
    kept = (ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return "".join(kept).strip()


def escape_intent_syntax(text: str) -> str:
    """A typed leading '/' would be read by Rasa as '/intent{...}': make it a full-width slash."""
    stripped = text.strip()  # Rasa strips too, so " /greet" must be caught as well
    return FULLWIDTH_SLASH + stripped[1:] if stripped.startswith("/") else stripped


def user_text(raw: str | None) -> Inbound:
    text = clean_text(raw or "")
    if not text:
        return Inbound("reply", EMPTY_TEXT)
    if len(text) > MAX_TEXT_CHARS:
        return Inbound("reply", TOO_LONG_TEXT)
    return Inbound("rasa", escape_intent_syntax(text))


def classify_message(message: Any, click_intents: Mapping[str, str] = MENU_CLICK_INTENTS) -> Inbound:
    message_type = getattr(message, "type", "unknown")
    if message_type == "text":
        return user_text(message.content)
    if message_type == "voice":
        recognition = clean_text(getattr(message, "recognition", None) or "")
        return user_text(recognition) if recognition else Inbound("reply", VOICE_UNRECOGNISED_TEXT)
    if message_type == "event":
        return classify_event(message, click_intents)
    return Inbound("reply", UNSUPPORTED_TEXT)  # image, location, link, video, unknown ...


def classify_event(message: Any, click_intents: Mapping[str, str]) -> Inbound:
    event = getattr(message, "event", "")
    if event in ("subscribe", "subscribe_scan"):
        return Inbound("rasa", MENU_PAYLOAD, prefix=WELCOME_TEXT, trusted=True)
    if event == "click":
        intent = click_intents.get(getattr(message, "key", "") or "")
        return Inbound("rasa", f"/{intent}" if intent else MENU_PAYLOAD, trusted=True)
    return Inbound("ignore")  # unsubscribe, VIEW, LOCATION reports ... need no answer


def is_continue_request(text: str) -> bool:
    return text.strip(" 。.!！~～") in CONTINUE_WORDS


def dedup_key(message: Any) -> str:
    """MsgId for messages; FromUserName + CreateTime for events (they carry no MsgId)."""
    if getattr(message, "type", "") != "event" and getattr(message, "id", 0):
        return f"msg:{message.target}:{message.id}"
    return f"event:{message.source}:{message.time}"


# ---------------------------------------------------------------- replies


def cdata(value: str) -> str:
    """CDATA section that survives a ']]>' inside the text."""
    value = _XML_INVALID.sub("", value)
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_text_reply(to_user: str, from_user: str, content: str, create_time: int | None = None) -> str:
    created = int(time.time()) if create_time is None else create_time
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def render_bot_messages(messages: Iterable[dict]) -> tuple[str, list[dict]]:
    """All bot texts joined; buttons become '回复1 …' lines. Returns the text and the buttons."""
    return render_message_texts(messages)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def cut_utf8(text: str, limit: int) -> tuple[str, str]:
    """Longest head within `limit` bytes on a character boundary, preferring a line break."""
    head = text.encode("utf-8")[:limit].decode("utf-8", "ignore")
    newline = head.rfind("\n")
    if newline >= len(head) // 2:
        head = head[:newline]
    return head, text[len(head):]


def paginate(text: str, limit: int = REPLY_BYTE_LIMIT) -> tuple[str, str]:
    """First page (with the '继续' note when more follows) and the rest for later."""
    if utf8_len(text) <= limit:
        return text, ""
    head, rest = cut_utf8(text, limit - utf8_len(CONTINUE_NOTE))
    rest = rest.strip()
    return (head.rstrip() + CONTINUE_NOTE, rest) if rest else (head.rstrip(), "")


def split_pages(text: str, max_pages: int = MAX_ASYNC_MESSAGES) -> tuple[list[str], str]:
    pages: list[str] = []
    rest = text
    while rest and len(pages) < max_pages:
        page, rest = paginate(rest)
        pages.append(page)
    return pages, rest


# ---------------------------------------------------------------- shared stores


def redis_client(redis_url: str) -> Any:
    import redis.asyncio

    return redis.asyncio.from_url(redis_url)


class ContinuationStore(Protocol):
    async def put(self, user: str, text: str) -> None: ...
    async def pop(self, user: str) -> str | None: ...
    async def discard(self, user: str) -> None: ...


@dataclass
class MemoryContinuations:
    """The rest of a cut reply per user, for the next '继续' (one process only)."""

    ttl: float = CONTINUATION_TTL_SECONDS
    _items: dict[str, tuple[float, str]] = field(default_factory=dict)

    async def put(self, user: str, text: str) -> None:
        self._items[user] = (time.monotonic() + self.ttl, text)

    async def pop(self, user: str) -> str | None:
        expires, text = self._items.pop(user, (0.0, ""))
        return text if text and expires > time.monotonic() else None

    async def discard(self, user: str) -> None:
        self._items.pop(user, None)


@dataclass
class RedisContinuations:
    """Continuations shared by all workers (REDIS_URL)."""

    client: Any
    prefix: str
    ttl: int = CONTINUATION_TTL_SECONDS

    async def put(self, user: str, text: str) -> None:
        key = f"{self.prefix}:more:{user}"
        await self.client.set(key, seal(text, key), ex=self.ttl)  # personal answers: sealed at rest

    async def pop(self, user: str) -> str | None:
        key = f"{self.prefix}:more:{user}"
        async with self.client.pipeline(transaction=True) as pipe:
            value, _ = await pipe.get(key).delete(key).execute()
        return unseal(value, key)

    async def discard(self, user: str) -> None:
        await self.client.delete(f"{self.prefix}:more:{user}")


@dataclass
class ReplyJob:
    """One incoming message being answered; every retry of it shares this object."""

    result: asyncio.Future
    waiting: int = 0
    mode: str = ""  # "passive" once a request answered with it, "async" once pushed by API
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    created: float = field(default_factory=time.monotonic)


@dataclass
class MemoryDedupStore:
    """Retry deduplication inside one process: a retry gets the job of the first delivery."""

    ttl: float = DEDUP_TTL_SECONDS
    _jobs: dict[str, ReplyJob] = field(default_factory=dict)

    async def claim(self, key: str) -> tuple[ReplyJob | None, bool]:
        """(job, created); job None means another process owns the message (Redis variant)."""
        return self._claim_local(key)

    def _claim_local(self, key: str) -> tuple[ReplyJob, bool]:
        self._prune()
        if key in self._jobs:
            return self._jobs[key], False
        job = ReplyJob(asyncio.get_running_loop().create_future())
        self._jobs[key] = job
        return job, True

    def _prune(self) -> None:
        limit = time.monotonic() - self.ttl
        for key in [key for key, job in self._jobs.items() if job.created < limit and job.result.done()]:
            del self._jobs[key]

    async def publish(self, key: str, page: str | None) -> None:
        """Tells other processes what the answer to `key` was (nothing to do in memory)."""

    async def wait_remote(self, key: str, seconds: float) -> str | None:
        return None


@dataclass
class RedisDedupStore(MemoryDedupStore):
    """Claims a message with SET NX so that one worker of many processes it; a retry that lands on
    another worker polls for the passive reply the owner published."""

    client: Any = None
    prefix: str = "wechat"
    poll_seconds: float = 0.1

    async def claim(self, key: str) -> tuple[ReplyJob | None, bool]:
        if key in self._jobs:
            return self._jobs[key], False
        created = await self.client.set(f"{self.prefix}:dedup:{key}", b"1", nx=True, ex=int(self.ttl))
        if key in self._jobs or created:  # re-check: another coroutine may have claimed meanwhile
            return self._claim_local(key)
        return None, False

    async def publish(self, key: str, page: str | None) -> None:
        name = f"{self.prefix}:reply:{key}"
        await self.client.set(name, seal(page or "", name), ex=int(self.ttl))  # a personal answer: sealed

    async def wait_remote(self, key: str, seconds: float) -> str | None:
        deadline = time.monotonic() + seconds
        name = f"{self.prefix}:reply:{key}"
        while time.monotonic() < deadline:
            value = await self.client.get(name)
            if value is not None:
                return unseal(value, name) or None
            await asyncio.sleep(self.poll_seconds)
        return None


def make_stores(redis_url: str, prefix: str) -> tuple[MemoryDedupStore, ContinuationStore]:
    if not redis_url:
        return MemoryDedupStore(), MemoryContinuations()
    client = redis_client(redis_url)
    return RedisDedupStore(client=client, prefix=prefix), RedisContinuations(client, prefix)


# ---------------------------------------------------------------- the 5-second window

Work = Callable[[], Awaitable[str | None]]
FinishPassive = Callable[[str], Awaitable[str]]
DeliverAsync = Callable[[str], Awaitable[None]]


class ReplyCoordinator:
    """Processes each message once and decides between one passive reply and the async API.

    The bot runs in its own task, so a request that gives up after `wait_seconds` (or is
    cancelled because WeChat hung up) never cancels it. When the bot finishes while a request
    (the first delivery or a retry) is still waiting, that request answers passively; if nobody
    is waiting any more the answer goes out through the customer-service API instead.
    """

    def __init__(self, store: MemoryDedupStore, wait_seconds: float = PASSIVE_WAIT_SECONDS) -> None:
        self.store = store
        self.wait_seconds = wait_seconds
        self._tasks: set[asyncio.Task] = set()

    async def respond(self, key: str, work: Work, finish_passive: FinishPassive,
                      deliver_async: DeliverAsync) -> str | None:
        """Passive reply text, or None for 'success' (answered elsewhere or nothing to say)."""
        job, created = await self.store.claim(key)
        if job is None:
            return await self.store.wait_remote(key, self.wait_seconds)
        if created:
            task = asyncio.create_task(self._run(key, job, work, deliver_async))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await self._wait(key, job, finish_passive)

    async def _run(self, key: str, job: ReplyJob, work: Work, deliver_async: DeliverAsync) -> None:
        try:
            full = await work()
        except Exception:  # noqa: BLE001 - one failing message must not kill the webhook
            logger.exception("handling a %s message failed", key.split(":", 1)[0])
            full = None
        job.result.set_result(full)
        while job.waiting:  # let every waiting request take the passive answer first
            job.idle.clear()
            await job.idle.wait()
        if job.mode == "passive" or not full:
            return
        job.mode = "async"
        await self.store.publish(key, None)
        try:
            await deliver_async(full)
        except Exception:  # noqa: BLE001
            logger.exception("asynchronous delivery failed")

    async def _wait(self, key: str, job: ReplyJob, finish_passive: FinishPassive) -> str | None:
        job.waiting += 1
        try:
            try:
                full = await asyncio.wait_for(asyncio.shield(job.result), self.wait_seconds)
            except asyncio.TimeoutError:
                return None
            if job.mode == "async" or not full:
                return None
            job.mode = "passive"
            page = await finish_passive(full)
            await self.store.publish(key, page)
            return page
        finally:
            job.waiting -= 1
            if not job.waiting:
                job.idle.set()

    async def drain(self) -> None:
        """Waits for background work (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


# ---------------------------------------------------------------- customer-service API

ASYNC_QUOTA_ERRORS = {45015: "reply window expired (48 h)", 45047: "reply quota used up"}
_MEMORY_TOKENS = MemoryStorage()


def token_storage(redis_url: str, prefix: str = "yibao:wechatpy") -> SessionStorage:
    """Where access tokens live. A new token invalidates the old one, so all workers share it:
    Redis when REDIS_URL is set, otherwise one store for the whole process."""
    if not redis_url:
        return _MEMORY_TOKENS
    import redis
    from wechatpy.session.redisstorage import RedisStorage

    return RedisStorage(redis.Redis.from_url(redis_url), prefix=prefix)


class TimeoutSession(requests.Session):
    """wechatpy fetches tokens without a timeout; a worker thread must never hang forever."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, **kwargs)


class OfficialAccountClient(WeChatClient):
    """WeChatClient whose API base (including the token URL) is configurable, e.g. for a proxy."""

    def __init__(self, appid: str, secret: str, api_base_url: str, storage: SessionStorage,
                 timeout: float = 5.0) -> None:
        super().__init__(appid, secret, session=storage, timeout=timeout)
        self.API_BASE_URL = api_base_url or WeChatClient.API_BASE_URL
        self._http = TimeoutSession(timeout)

    def fetch_access_token(self) -> dict:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        return self._fetch_access_token(url=f"{self.API_BASE_URL}token", params=params)


class WeComClient(WeComClientBase):
    def __init__(self, corp_id: str, secret: str, api_base_url: str, storage: SessionStorage,
                 timeout: float = 5.0) -> None:
        super().__init__(corp_id, secret, session=storage, timeout=timeout)
        self.API_BASE_URL = api_base_url or WeComClientBase.API_BASE_URL
        self._http = TimeoutSession(timeout)

    def fetch_access_token(self) -> dict:
        params = {"corpid": self.corp_id, "corpsecret": self.secret}
        return self._fetch_access_token(url=f"{self.API_BASE_URL}gettoken", params=params)


class AsyncSender:
    """Sends late replies through a synchronous wechatpy call run in a worker thread."""

    def __init__(self, send_text: Callable[[str, str], Any]) -> None:
        self._send_text = send_text

    async def deliver(self, user: str, pages: Sequence[str]) -> int:
        """Sends up to MAX_ASYNC_MESSAGES pages; returns how many went out."""
        sent = 0
        for page in list(pages)[:MAX_ASYNC_MESSAGES]:
            try:
                await asyncio.to_thread(self._send_text, user, page)
            except WeChatClientException as error:
                log_send_error(user, error)
                break
            sent += 1
        return sent


def log_send_error(user: str, error: WeChatClientException) -> None:
    code = getattr(error, "errcode", None)
    if code in ASYNC_QUOTA_ERRORS:
        logger.warning("late reply to %s not sent: %s (%s)", mask_user(user), ASYNC_QUOTA_ERRORS[code], code)
    else:
        logger.error("late reply to %s failed: errcode=%s", mask_user(user), code)


def official_account_sender(config: CallbackConfig) -> AsyncSender | None:
    if not (config.receiver_id and config.secret):
        return None
    client = OfficialAccountClient(config.receiver_id, config.secret, config.api_base_url,
                                   token_storage(config.redis_url))
    return AsyncSender(lambda user, text: client.message.send_text(user, text))


def wecom_sender(config: CallbackConfig) -> AsyncSender | None:
    if not (config.receiver_id and config.secret and config.agent_id):
        return None
    client = WeComClient(config.receiver_id, config.secret, config.api_base_url, token_storage(config.redis_url))
    agent_id = int(config.agent_id) if config.agent_id.isdigit() else config.agent_id  # the API wants a number
    return AsyncSender(lambda user, text: client.message.send_text(agent_id, user, text))


def mask_user(user: str) -> str:
    """OpenIDs are personal identifiers: log only a prefix."""
    return (user[:4] + "…") if user else "?"
