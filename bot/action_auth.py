"""Only Rasa may call the action server: a shared secret in the Authorization header.

Rasa sends it through the action endpoint's `headers` (endpoints.yml: Authorization: Bearer
${ACTION_SERVER_TOKEN}); the action server refuses any other request with 401 before an action
runs. rasa-sdk 3.6 has no option of its own for this; it offers a plugin hook
(`attach_sanic_app_extensions`, found as the package `rasa_sdk_plugins`) that actions/__init__.py
registers. The same hook replaces rasa-sdk's error handler, which answered a failure with the whole
request body: the tracker, with whatever the user had just typed.
"""

from __future__ import annotations

import hmac
import logging
import sys
import types

import pluggy
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.secrets import ACTION_SERVER_TOKEN, secret

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")
OPEN_PATHS = frozenset({"/health"})  # liveness probes carry no secret


def authorization_header(token: str | None = None) -> dict[str, str]:
    """The header Rasa's action endpoint sends (tests and tools that call the server build it here)."""
    return {"Authorization": f"Bearer {token or secret(ACTION_SERVER_TOKEN)}"}


def is_authorised(header: str | None, token: str) -> bool:
    scheme, _, value = (header or "").partition(" ")
    return scheme == "Bearer" and bool(token) and hmac.compare_digest(value.strip().encode(), token.encode())


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    token = secret(ACTION_SERVER_TOKEN)

    @app.on_request
    async def require_rasa(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or is_authorised(request.headers.get("authorization"), token):
            return None
        logger.warning("action server refused a request without the shared secret")
        return response.json({"error": "unauthorised"}, status=401)

    app.error_handler.add(Exception, _error_without_request_body)


async def _error_without_request_body(request: Request, exception: Exception) -> HTTPResponse:
    logger.error("action server request failed: %s", type(exception).__name__)
    return response.json({"error": "internal error"}, status=500)


def register_as_rasa_sdk_plugin() -> None:
    """Makes rasa-sdk's plugin discovery (`import rasa_sdk_plugins`) find this module. Called while
    rasa-sdk imports the actions package, before it looks for plugins."""
    plugins = types.ModuleType("rasa_sdk_plugins")
    plugins.init_hooks = lambda manager: manager.register(sys.modules[__name__])  # type: ignore[attr-defined]
    sys.modules.setdefault("rasa_sdk_plugins", plugins)
