"""/ops on the Rasa server's port: login, dashboard, CSV, review queue and export.

Registered in credentials.yml like the chat page (`bot.ops.web.OpsConsole:`). Every page needs an
operator session (signed HttpOnly SameSite=Strict cookie from /ops/login) or `Authorization: Bearer
$OPS_TOKEN`; a browser without either is sent to the login page, anything else gets 401. Forms carry
a CSRF token bound to the session and must come from this origin. Exports and downloads are audited.
The server also runs the retention job (bot/ops/retention.py) at start and once a day.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.ops import auth, dashboard, export, labels, pages, queue, retention, turns
from bot.records.audit import record_operator_action
from bot.records.db import session_scope
from bot.runtime.startup import prepare_rasa_server

logger = logging.getLogger(__name__)

CSS = Path(__file__).resolve().parent / "ops.css"
HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
LOGIN_FAILURES_BEFORE_LOCK = 5
LOGIN_LOCK_SECONDS = 15 * 60
RETENTION_EVERY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Operator:
    name: str
    session: str  # the cookie value ("" for a bearer token: no forms, so no CSRF token)


def operator_of(request: Request) -> Operator | None:
    if auth.bearer_ok(request.headers):
        return Operator("token", "")
    value = request.cookies.get(auth.SESSION_COOKIE)
    name = auth.operator_from_session(value)
    return Operator(name, value or "") if name else None


def same_origin(request: Request) -> bool:
    """A form post must come from this site (browsers send Origin on POST)."""
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == request.host


def html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTTPResponse:
    return response.html(body, status=status, headers={**HEADERS, **(headers or {})})


def unauthorised(request: Request) -> HTTPResponse:
    if "text/html" in request.headers.get("accept", ""):
        return response.redirect("/ops/login", headers=HEADERS)
    return response.json({"error": "需要运营人员登录或 Authorization: Bearer $OPS_TOKEN"}, status=401, headers=HEADERS)


def protected(handler: Callable[..., Awaitable[HTTPResponse]]) -> Callable[..., Awaitable[HTTPResponse]]:
    """Runs the handler with the operator; POSTs also need the origin and the CSRF token."""

    async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        operator = operator_of(request)
        if operator is None:
            return unauthorised(request)
        if request.method == "POST" and operator.session and not (
                same_origin(request) and auth.csrf_ok(operator.session, request.form.get("csrf"))):
            return html(pages.layout("请求无效", "<p>表单已过期，请刷新页面后重试。</p>"), status=403)
        return await handler(request, operator, *args, **kwargs)

    guarded.__name__ = handler.__name__
    return guarded


class LoginThrottle:
    """Five wrong passwords for a name lock it for 15 minutes (in this process)."""

    def __init__(self) -> None:
        self.failures: dict[str, list[float]] = {}

    def locked(self, name: str) -> bool:
        recent = [t for t in self.failures.get(name, []) if t > time.time() - LOGIN_LOCK_SECONDS]
        self.failures[name] = recent
        return len(recent) >= LOGIN_FAILURES_BEFORE_LOCK

    def failed(self, name: str) -> None:
        self.failures.setdefault(name, []).append(time.time())


def _in_session(work: Callable[..., Any], *args: Any) -> Any:
    with session_scope() as session:
        return work(session, *args)


class OpsConsole(InputChannel):
    """The operators' pages; takes no chat messages."""

    @classmethod
    def name(cls) -> str:
        return "ops"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> OpsConsole:
        prepare_rasa_server()
        return cls()

    def url_prefix(self) -> str:
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        ops = Blueprint("ops_console", __name__)
        throttle = LoginThrottle()
        _login_routes(ops, throttle)
        _dashboard_routes(ops)
        _review_routes(ops)

        @ops.listener("after_server_start")
        async def start_retention(app: Any, _: Any) -> None:
            app.add_task(_retention_loop())

        return ops


def _login_routes(ops: Blueprint, throttle: LoginThrottle) -> None:
    @ops.route("/ops/static/ops.css", methods=["GET"])
    async def css(_: Request) -> HTTPResponse:
        return response.text(CSS.read_text(encoding="utf-8"), content_type="text/css; charset=utf-8", headers=HEADERS)

    @ops.route("/ops/login", methods=["GET"])
    async def login_form(_: Request) -> HTTPResponse:
        return html(pages.login_page())

    @ops.route("/ops/login", methods=["POST"])
    async def login(request: Request) -> HTTPResponse:
        name, password = (request.form.get("name") or "").strip(), request.form.get("password") or ""
        if not same_origin(request):
            return html(pages.login_page("请求来源无效"), status=403)
        if throttle.locked(name):
            return html(pages.login_page("尝试次数过多，请15分钟后再试"), status=429)
        if not name or not await asyncio.to_thread(_in_session, auth.authenticate, name, password):
            throttle.failed(name)
            return html(pages.login_page("用户名或密码错误"), status=401)
        secure = request.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
        cookie = auth.session_cookie(auth.session_value(name), secure)
        return response.redirect("/ops", headers={**HEADERS, "Set-Cookie": cookie})

    @ops.route("/ops/logout", methods=["POST"])
    @protected
    async def logout(_: Request, operator: Operator) -> HTTPResponse:
        return response.redirect("/ops/login", headers={**HEADERS, "Set-Cookie": auth.cleared_cookie()})


def _period(request: Request) -> dashboard.DateRange | None:
    try:
        return dashboard.DateRange.parse(request.args.get("from"), request.args.get("to"))
    except ValueError:
        return None


def _dashboard_routes(ops: Blueprint) -> None:
    @ops.route("/ops", methods=["GET"])
    @protected
    async def board(request: Request, operator: Operator) -> HTTPResponse:
        period = _period(request)
        if period is None:
            return html(pages.layout("数据看板", "<p>日期格式应为 YYYY-MM-DD。</p>"), status=400)
        await asyncio.to_thread(turns.flush)
        result = await asyncio.to_thread(_in_session, dashboard.figures, period)
        return html(pages.dashboard_page(result, operator.name, auth.csrf_token(operator.session)))

    @ops.route("/ops/export.csv", methods=["GET"])
    @protected
    async def csv_export(request: Request, operator: Operator) -> HTTPResponse:
        period = _period(request)
        if period is None:
            return response.text("日期格式应为 YYYY-MM-DD", status=400, headers=HEADERS)
        await asyncio.to_thread(turns.flush)
        result = await asyncio.to_thread(_in_session, _audited_figures, operator.name, period)
        name = f"yibao-ops-{period.start}-{period.end}.csv"
        return response.text("\ufeff" + dashboard.to_csv(result), content_type="text/csv; charset=utf-8",
                             headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})


def _audited_figures(session: Any, operator: str, period: dashboard.DateRange) -> dashboard.Figures:
    record_operator_action(session, operator, f"export_csv {period.start}..{period.end}")
    return dashboard.figures(session, period)


def _review_routes(ops: Blueprint) -> None:
    @ops.route("/ops/review", methods=["GET"])
    @protected
    async def review(request: Request, operator: Operator) -> HTTPResponse:
        await asyncio.to_thread(turns.flush)
        return html(await asyncio.to_thread(_review_html, operator, request.args.get("notice") == "saved"))

    @ops.route("/ops/review/<item_id:int>", methods=["POST"])
    @protected
    async def label(request: Request, operator: Operator, item_id: int) -> HTTPResponse:
        form = request.form
        intent, faq_key = (form.get("intent") or "").strip(), (form.get("faq_key") or "").strip()
        if (intent and intent not in labels.intents()) or (faq_key and faq_key not in labels.faq_keys()):
            return html(pages.layout("标注无效", "<p>意图或知识条目不存在。</p>"), status=400)
        try:
            await asyncio.to_thread(_in_session, queue.label, item_id, operator.name, intent or None,
                                    faq_key or None, form.get("new_answer") == "1")
        except (LookupError, ValueError) as problem:
            return html(pages.layout("标注无效", f"<p>{problem}</p>"), status=400)
        return response.redirect("/ops/review?notice=saved", headers=HEADERS)

    @ops.route("/ops/review/export", methods=["POST"])
    @protected
    async def export_items(_: Request, operator: Operator) -> HTTPResponse:
        done = await asyncio.to_thread(_in_session, _audited_export, operator.name)
        return html(pages.export_page(done, operator.name, auth.csrf_token(operator.session)))

    @ops.route("/ops/review/exports/<name>/<file>", methods=["GET"])
    @protected
    async def download(_: Request, operator: Operator, name: str, file: str) -> HTTPResponse:
        text = export.read_export(name, file)
        if text is None:
            return response.text("not found", status=404, headers=HEADERS)
        await asyncio.to_thread(_in_session, record_operator_action, operator.name, f"download {name}/{file}")
        return response.text(text, content_type="text/yaml; charset=utf-8",
                             headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}-{file}"'})


def _review_html(operator: Operator, saved: bool) -> str:
    with session_scope() as session:
        open_items, labelled = queue.items(session), len(queue.labelled(session))
    return pages.review_page(open_items, labelled, labels.intents(), labels.faq_keys(), operator.name,
                             auth.csrf_token(operator.session), "已保存标注。" if saved else "")


def _audited_export(session: Any, operator: str) -> export.Export | None:
    done = export.export_labelled(session, operator)
    if done is not None:
        record_operator_action(session, operator, f"export_review {done.name} ({done.items})")
    return done


async def _retention_loop() -> None:
    while True:
        try:
            report = await asyncio.to_thread(retention.run)
            logger.info("retention: %s", report)
        except Exception as problem:  # noqa: BLE001 - the next day's run tries again
            logger.warning("retention run failed: %s", type(problem).__name__)
        await asyncio.sleep(RETENTION_EVERY_SECONDS)
