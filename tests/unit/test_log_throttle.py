"""LogThrottle: one warning a minute for each thing, what was held back counted into the next."""

import logging

import pytest

from elbd import log_throttle
from elbd.log_throttle import LogThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_repeated_warning_is_logged_once_an_interval_with_what_was_held_back(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    throttle = LogThrottle(logging.getLogger("test.throttle"), 60.0, clock)
    with caplog.at_level(logging.WARNING, logger="test.throttle"):
        for _ in range(5):
            throttle.warning("lb-1", "load balancer %s: dropped %d", "lb-1", 3)
            clock.now += 1
        clock.now += 60
        throttle.warning("lb-1", "load balancer %s: dropped %d", "lb-1", 7)
    assert [record.getMessage() for record in caplog.records] == [
        "load balancer lb-1: dropped 3",
        "load balancer lb-1: dropped 7 (and 4 more like it in the last 60 s)",
    ]


def test_warnings_about_different_things_do_not_hold_each_other_back(caplog: pytest.LogCaptureFixture) -> None:
    throttle = LogThrottle(logging.getLogger("test.throttle"), 60.0, Clock())
    with caplog.at_level(logging.WARNING, logger="test.throttle"):
        throttle.warning("lb-1", "one")
        throttle.warning("lb-2", "two")
        throttle.warning("lb-1", "one again")
    assert [record.getMessage() for record in caplog.records] == ["one", "two"]


def test_it_remembers_a_bounded_number_of_things(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(log_throttle, "MOST_KEYS", 3)
    throttle = LogThrottle(logging.getLogger("test.throttle"), 60.0, Clock())
    with caplog.at_level(logging.WARNING, logger="test.throttle"):
        for number in range(10):
            throttle.warning(number, "thing %d", number)
        throttle.warning(0, "thing 0 again")  # long forgotten: logged
        throttle.warning(9, "thing 9 again")  # still remembered: held back
    assert len(throttle._last) == 3
    assert [record.getMessage() for record in caplog.records][-1] == "thing 0 again"
