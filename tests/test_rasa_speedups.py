"""Server-side speed-ups that must not change what Rasa does."""

from __future__ import annotations

import asyncio
import gc

import rasa.core.run

from bot import rasa_speedups


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
