"""TokenBuckets: refill by elapsed time, the wait it answers, bounded memory, and one token per taker."""

import threading

from elbd.api.token_buckets import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_full_bucket_gives_its_burst_then_answers_the_wait() -> None:
    buckets = TokenBuckets(rate=0.25, burst=2, clock=Clock())
    assert [buckets.take("a"), buckets.take("a")] == [0, 0]
    assert buckets.take("a") == 4.0


def test_tokens_come_back_at_the_rate_and_never_past_the_burst() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2, burst=2, clock=clock)
    buckets.take("a"), buckets.take("a")
    clock.now += 0.5
    assert buckets.take("a") == 0
    assert buckets.take("a") == 0.5
    clock.now += 3600
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0.5]


def test_a_refused_take_spends_nothing() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=1, burst=1, clock=clock)
    buckets.take("a")
    for _ in range(5):
        assert buckets.take("a") == 1.0
    clock.now += 1
    assert buckets.take("a") == 0


def test_keys_have_buckets_of_their_own() -> None:
    buckets = TokenBuckets(rate=1, burst=1, clock=Clock())
    assert buckets.take("a") == 0 and buckets.take("a") > 0
    assert buckets.take("b") == 0


def test_memory_is_bounded_by_dropping_the_least_recently_seen() -> None:
    buckets = TokenBuckets(rate=1, burst=1, clock=Clock(), capacity=3)
    for key in "abcdef":
        buckets.take(key)
    assert len(buckets) == 3
    assert buckets.take("f") > 0
    assert buckets.take("a") == 0


def test_concurrent_takers_share_exactly_the_burst() -> None:
    buckets = TokenBuckets(rate=1, burst=50, clock=Clock())
    granted: list[bool] = []
    lock = threading.Lock()

    def taker() -> None:
        for _ in range(20):
            ok = buckets.take("shared") == 0
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=taker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(granted) == 160 and granted.count(True) == 50
