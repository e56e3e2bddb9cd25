"""core.rate_limit: a few tries per key in a sliding window, with a fake clock."""

from __future__ import annotations

import threading

from core import access
from core.rate_limit import SlidingWindowLimiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_sixth_try_waits_until_the_first_leaves_the_window():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(default_limit=5, window=600, clock=clock)
    for _ in range(5):
        assert limiter.try_now("a") == 0
        clock.now += 10
    assert limiter.try_now("a") == 600 - 50  # the first try (t=1000) leaves at t=1600; now is 1050
    assert limiter.wait_seconds("a") == 550 and limiter.try_now("b") == 0  # other keys are their own
    clock.now += 549
    assert limiter.try_now("a") > 0  # refused tries are not counted: the wait does not grow
    clock.now += 1
    assert limiter.try_now("a") == 0 and limiter.try_now("a") == 10  # then the second one must leave


def test_a_try_counts_under_every_key_and_any_full_key_refuses_it():
    clock = FakeClock()
    limiter = SlidingWindowLimiter({"session": 2, "client": 3}, window=60, clock=clock)
    assert limiter.try_now(("session", "s1"), ("client", "ip")) == 0
    assert limiter.try_now(("session", "s1"), ("client", "ip")) == 0
    assert limiter.try_now(("session", "s1"), ("client", "ip")) == 60  # the session's 2 are used
    assert limiter.try_now(("session", "s2"), ("client", "ip")) == 0  # a new session: the client's third
    assert limiter.try_now(("session", "s3"), ("client", "ip")) == 60  # the client's 3 are used
    assert limiter.try_now(("session", "s3"), ("client", "other")) == 0


def test_memory_is_bounded_and_expired_keys_go():
    clock = FakeClock()
    limiter = SlidingWindowLimiter(default_limit=1, window=60, clock=clock, max_keys=100)
    for i in range(1000):
        limiter.try_now(("session", str(i)))
    assert len(limiter._tries) == 100 and limiter.wait_seconds(("session", "999")) == 60
    clock.now += 61
    assert limiter.wait_seconds(*[("session", str(i)) for i in range(900, 1000)]) == 0
    assert len(limiter._tries) == 0


def test_threads_never_get_more_tries_than_the_limit():
    limiter = SlidingWindowLimiter(default_limit=5, window=600)
    accepted = []
    barrier = threading.Barrier(20)

    def knock():
        barrier.wait()
        accepted.append(limiter.try_now("same client") == 0)

    threads = [threading.Thread(target=knock) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(accepted) == 5


def test_the_teacher_ration_is_five_per_session_and_ten_per_client_in_ten_minutes():
    clock = FakeClock()
    limiter = access.teacher_guess_limiter(clock)
    assert [limiter.try_now(("session", "a"), ("client", "ip")) == 0 for _ in range(6)] == [True] * 5 + [False]
    assert limiter.wait_seconds(("session", "a")) == 600
