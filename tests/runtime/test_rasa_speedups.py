"""Server-side speed-ups that must not change what Rasa does."""

from __future__ import annotations

import asyncio
import gc

import rasa.core.run

from bot.runtime import rasa_speedups


def test_the_heap_is_frozen_once_the_agent_is_loaded(monkeypatch) -> None:
    loaded = []

    async def load_agent_on_start(*args, **kwargs):
        loaded.append((args, kwargs))
        return "agent"

    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", load_agent_on_start)
    rasa_speedups._install_heap_freeze()
    rasa_speedups._install_heap_freeze()  # installing twice wraps once
    patched = rasa.core.run.load_agent_on_start
    assert patched is not load_agent_on_start and patched.freezes_heap

    gc.unfreeze()
    try:
        assert asyncio.run(patched("model.tar.gz", endpoints=None)) == "agent"
        assert loaded == [(("model.tar.gz",), {"endpoints": None})]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_importing_the_channels_patches_nothing_start_up_does() -> None:
    import subprocess
    import sys

    code = ("import rasa.core.run, bot.channels.rest, bot.channels.wechat, bot.ops.web\n"
            "from bot.runtime import rasa_speedups\n"
            "from rasa.core.actions.action import RemoteAction\n"
            "before = rasa_speedups._INSTALLED\n"
            "bot.channels.rest.SafeRestInput.from_credentials({})\n"
            "print(before, rasa_speedups._INSTALLED, RemoteAction._validate_action_result.__module__)\n")
    env = {"ALLOW_UNAUTHENTICATED_API": "1", "PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.split() == ["False", "True", "bot.runtime.rasa_speedups"], out.stderr[-2000:]


def test_start_up_refuses_an_open_api(monkeypatch) -> None:
    import pytest

    from bot.runtime import startup as server_startup

    monkeypatch.delenv("ALLOW_UNAUTHENTICATED_API", raising=False)
    monkeypatch.setattr(server_startup, "_prepared", False)
    with pytest.raises(SystemExit, match="jwt-secret"):
        server_startup.prepare_rasa_server(["rasa", "run", "--enable-api"])
