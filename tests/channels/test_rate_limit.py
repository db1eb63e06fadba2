"""Client addresses behind trusted proxies only, and the per-client token bucket."""

from __future__ import annotations

from bot.channels.rate_limit import RateLimiter, client_address, trusted_proxies

PROXIES = trusted_proxies("10.0.0.0/8, 127.0.0.1")


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    assert client_address("198.51.100.9", "1.2.3.4", PROXIES) == "198.51.100.9"  # spoofed header ignored
    assert client_address("127.0.0.1", "1.2.3.4", PROXIES) == "1.2.3.4"
    # the client may prepend anything: the right-most address our proxies did not add is the client
    assert client_address("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.1", PROXIES) == "1.2.3.4"
    assert client_address("127.0.0.1", None, PROXIES) == "127.0.0.1"
    assert client_address("127.0.0.1", "1.2.3.4", trusted_proxies("")) == "127.0.0.1"


def test_bucket_allows_the_rate_and_refills_over_time() -> None:
    limiter = RateLimiter(per_minute=6)
    assert [limiter.allow("a", now=0) for _ in range(7)] == [True] * 6 + [False]
    assert limiter.allow("b", now=0), "another client has its own bucket"
    assert limiter.allow("a", now=10) and not limiter.allow("a", now=10)  # one token per 10 s
    assert RateLimiter(per_minute=0).allow("a"), "0 switches the limit off"
