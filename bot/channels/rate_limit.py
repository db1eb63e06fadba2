"""Per-client message limit for the REST channel and the web page (which posts to it).

The client is the connecting address, or — only when that address is one of TRUSTED_PROXIES — the
right-most address in X-Forwarded-For that is not a trusted proxy: anyone may send the header, so
it is believed only from our own proxies. A token bucket per client: REST_RATE_LIMIT_PER_MINUTE
messages a minute on average (default 60, 0 switches the limit off), bursts of as many. The buckets
live in each Rasa process; with N replicas a client gets at most N times the rate.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_PER_MINUTE = 60
MAX_CLIENTS = 50_000  # buckets kept; full ones are forgotten first


def trusted_proxies(value: str | None = None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """TRUSTED_PROXIES: comma-separated addresses or networks (e.g. 10.0.0.0/8,127.0.0.1)."""
    text = os.environ.get("TRUSTED_PROXIES", "") if value is None else value
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def client_address(peer: str, forwarded_for: str | None, trusted: Iterable) -> str:
    """Whose request this is: the peer, unless the peer is our proxy and says who its client was."""
    networks = list(trusted)

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    if not is_trusted(peer):
        return peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            return hop
    return hops[0] if hops else peer


@dataclass
class RateLimiter:
    per_minute: float = DEFAULT_PER_MINUTE
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # client -> (tokens, at)

    @classmethod
    def from_env(cls) -> RateLimiter:
        return cls(float(os.environ.get("REST_RATE_LIMIT_PER_MINUTE", DEFAULT_PER_MINUTE)))

    def allow(self, client: str, now: float | None = None) -> bool:
        """Takes one token from the client's bucket; False when it is empty."""
        if self.per_minute <= 0:
            return True
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.get(client, (self.per_minute, now))
        tokens = min(self.per_minute, tokens + (now - at) * self.per_minute / 60)
        if len(self._buckets) >= MAX_CLIENTS:
            self._forget_full(now)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1, now)
        return True

    def _forget_full(self, now: float) -> None:
        rate = self.per_minute / 60
        self._buckets = {c: (t, a) for c, (t, a) in self._buckets.items() if t + (now - a) * rate < self.per_minute}
