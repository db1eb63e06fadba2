"""A Rasa server whose HTTP API is on must require a token: checked when the server starts.

`rasa run --enable-api` without `--jwt-secret` (or `--auth-token`) lets any local process, container
neighbour or DNS-rebinding web page read every transcript and append events. The server's start-up
code (bot/runtime/startup.py, called by every channel of credentials.yml) refuses to start such a server.
Test servers on loopback may set ALLOW_UNAUTHENTICATED_API=1 (tests/support does).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

TOKEN_OPTIONS = ("--jwt-secret", "--auth-token")


def open_api_problem(argv: Sequence[str], env: dict[str, str] | None = None) -> str | None:
    """Why these command-line arguments start an unprotected API, or None."""
    env = dict(os.environ) if env is None else env
    if "--enable-api" not in argv or env.get("ALLOW_UNAUTHENTICATED_API") == "1":
        return None
    if any(arg == option or arg.startswith(option + "=") for arg in argv for option in TOKEN_OPTIONS):
        return None
    return ("rasa run --enable-api without --jwt-secret: Rasa's HTTP API would answer anyone. "
            "Start it with --jwt-secret (make serve does), or set ALLOW_UNAUTHENTICATED_API=1 for a test "
            "server on loopback.")
