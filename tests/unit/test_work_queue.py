"""The data plane's work queue: merged changes, one round per turn, quick work before rebuilds without
starving them, and waiters told of a failed round instead of taking it for done."""

import threading
import time

import pytest

from elbd.changes import Changes
from elbd.dataplane.work_queue import QUICK_ROUNDS_PER_REBUILD, Work, WorkQueue


def take(queue: WorkQueue) -> str | None:
    try:
        return queue.next(0)
    except TimeoutError:
        return None


def run_round(queue: WorkQueue, applied: bool = True) -> tuple[str, Work]:
    """One worker round: the load balancer taken and the work it got."""
    chosen = take(queue)
    assert chosen is not None
    got: list[Work] = []

    def handle(work: Work) -> bool:
        got.append(work)
        return applied

    queue.serve(chosen, handle)
    return chosen, got[0]


def test_changes_of_one_load_balancer_merge_while_they_wait() -> None:
    queue = WorkQueue()
    queue.submit(Changes.of(members={"a": {"m1"}}))
    queue.submit(Changes.of(members={"a": {"m2"}}))
    queue.submit(Changes.rebuild("a"))
    assert run_round(queue) == ("a", Work("a", Changes.rebuild("a")))
    assert take(queue) is None


def test_a_load_balancer_whose_work_keeps_coming_goes_to_the_back_after_each_round() -> None:
    """A flood on `a` while `b` waits: `a` gets one round, then `b` its turn."""
    queue = WorkQueue()
    queue.submit(Changes.rebuild("a"))
    queue.submit(Changes.rebuild("b"))
    chosen = take(queue)
    assert chosen == "a"
    queue.serve("a", lambda _work: (queue.submit(Changes.rebuild("a")), True)[1])  # more arrives meanwhile
    assert [run_round(queue)[0], run_round(queue)[0]] == ["b", "a"]


def test_a_busy_load_balancer_is_never_handed_to_a_second_worker() -> None:
    queue = WorkQueue()
    queue.submit(Changes.rebuild("a"))
    assert take(queue) == "a"
    queue.submit(Changes.of(members={"a": {"m"}}))
    assert take(queue) is None  # `a` is taken: its new work joins the round about to run
    got: list[Work] = []
    queue.serve("a", lambda work: got.append(work) is None)
    assert got == [Work("a", Changes.rebuild("a"))]
    queue.submit(Changes.of(members={"a": {"n"}}))
    assert take(queue) == "a"  # and once the round is over, `a` takes its turn again


def test_quick_work_goes_before_rebuilds() -> None:
    queue = WorkQueue()
    for name in ("r1", "r2"):
        queue.submit(Changes.rebuild(name))
    queue.submit(Changes.of(members={"q": {"m"}}))
    assert run_round(queue)[0] == "q"


def test_a_rebuild_waits_for_at_most_a_few_quick_rounds() -> None:
    queue = WorkQueue()
    queue.submit(Changes.rebuild("rebuild"))
    for number in range(QUICK_ROUNDS_PER_REBUILD + 3):
        queue.submit(Changes.of(members={f"q{number}": {"m"}}))
    order = [run_round(queue)[0] for _ in range(QUICK_ROUNDS_PER_REBUILD + 1)]
    assert order[-1] == "rebuild" and all(name.startswith("q") for name in order[:-1])


def test_a_waiter_is_told_when_its_change_is_live() -> None:
    queue = WorkQueue()
    queue.submit(Changes.of(members={"a": {"m"}}))
    done = threading.Event()
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: (result.append(queue.wait_until_applied({"a"}, 10)), done.set()))
    waiter.start()
    run_round(queue)
    assert done.wait(5) and result == [True]
    waiter.join()


def test_a_waiter_is_told_at_once_when_the_round_carrying_its_change_failed() -> None:
    queue = WorkQueue()
    queue.submit(Changes.of(members={"a": {"m"}}))
    run_round(queue, applied=False)
    started = time.monotonic()
    assert queue.wait_until_applied({"a"}, 10) is False
    assert time.monotonic() - started < 1


def test_a_later_round_that_succeeds_makes_the_change_live() -> None:
    queue = WorkQueue()
    queue.submit(Changes.of(members={"a": {"m"}}))
    run_round(queue, applied=False)
    queue.submit(Changes.rebuild("a"), counted=False)  # a retry, as the driver sends
    run_round(queue)
    assert queue.wait_until_applied({"a"}, 1) is True


def test_a_waiter_times_out_while_the_change_waits() -> None:
    queue = WorkQueue()
    queue.submit(Changes.of(members={"a": {"m"}}))
    assert queue.wait_until_applied({"a"}, 0.05) is False


def test_changes_of_other_load_balancers_are_not_waited_for() -> None:
    queue = WorkQueue()
    queue.submit(Changes.rebuild("slow"))
    assert queue.wait_until_applied({"quiet"}, 0.05) is True


def test_next_answers_none_once_closed() -> None:
    queue = WorkQueue()
    queue.close()
    assert queue.next(None) is None


@pytest.mark.parametrize("counted", [True, False])
def test_a_handler_that_raises_counts_as_failed(counted: bool) -> None:
    queue = WorkQueue()
    queue.submit(Changes.of(members={"a": {"m"}}), counted=counted)

    def broken(_work: Work) -> bool:
        raise RuntimeError("boom")

    queue.serve(take(queue) or "", broken)
    assert queue.wait_until_applied({"a"}, 0.05) is (not counted)


def test_a_config_write_joins_member_work_either_way_round_and_is_not_waited_for() -> None:
    queue = WorkQueue()
    queue.submit_config_write("a")
    queue.submit(Changes.of(members={"a": {"m"}}))
    assert run_round(queue) == ("a", Work("a", Changes.of(members={"a": {"m"}}), write_config=True))
    queue.submit(Changes.of(members={"b": {"m"}}))
    queue.submit_config_write("b")
    assert run_round(queue) == ("b", Work("b", Changes.of(members={"b": {"m"}}), write_config=True))
    queue.submit_config_write("c")
    assert queue.wait_until_applied({"c"}, 0) is True  # nobody waits for a config write
    assert run_round(queue) == ("c", Work("c", write_config=True))


def test_busy_while_a_worker_holds_the_load_balancer() -> None:
    queue = WorkQueue()
    queue.submit(Changes.rebuild("a"))
    assert not queue.busy("a")
    assert take(queue) == "a"
    assert queue.busy("a") and not queue.busy("b")
    queue.serve("a", lambda _work: True)
    assert not queue.busy("a")


def test_next_waits_for_work_told_later_with_or_without_a_timeout() -> None:
    for timeout_s in (5.0, None):
        queue = WorkQueue()
        teller = threading.Timer(0.1, queue.submit, args=(Changes.rebuild("a"),))
        teller.start()
        assert queue.next(timeout_s) == "a"
        teller.join()


def test_next_raises_after_its_timeout_and_close_wakes_a_waiting_worker() -> None:
    queue = WorkQueue()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        queue.next(0.1)
    assert 0.1 <= time.monotonic() - started < 2
    threading.Timer(0.1, queue.close).start()
    assert queue.next(None) is None


def test_the_quick_rounds_count_again_after_each_rebuild() -> None:
    queue = WorkQueue()
    for name in ("r1", "r2"):
        queue.submit(Changes.rebuild(name))
    for number in range(2 * QUICK_ROUNDS_PER_REBUILD + 2):
        queue.submit(Changes.of(members={f"q{number}": {"m"}}))
    order = [run_round(queue)[0] for _ in range(2 * QUICK_ROUNDS_PER_REBUILD + 2)]
    assert [index for index, name in enumerate(order) if name.startswith("r")] == [QUICK_ROUNDS_PER_REBUILD, 2 * QUICK_ROUNDS_PER_REBUILD + 1]


def test_serving_a_load_balancer_with_nothing_pending_calls_nothing() -> None:
    queue = WorkQueue()
    called: list[Work] = []
    queue.serve("idle", lambda work: called.append(work) is None)
    assert called == [] and not queue.busy("idle")
    assert queue.wait_until_applied({"idle"}, 0) is True


def test_a_change_told_during_a_round_is_live_only_after_a_later_round() -> None:
    queue = WorkQueue()
    queue.submit(Changes.of(members={"a": {"m1"}}))
    assert take(queue) == "a"
    queue.serve("a", lambda _work: (queue.submit(Changes.of(members={"a": {"m2"}})), True)[1])
    assert queue.wait_until_applied({"a"}, 0.05) is False
    assert run_round(queue) == ("a", Work("a", Changes.of(members={"a": {"m2"}})))
    assert queue.wait_until_applied({"a"}, 0) is True


def test_a_change_told_after_uncounted_rounds_is_waited_for() -> None:
    """Retries (uncounted) that applied or failed before a change was told say nothing of that change."""
    for retry_applied in (True, False):
        queue = WorkQueue()
        queue.submit(Changes.rebuild("a"), counted=False)
        run_round(queue, applied=retry_applied)
        queue.submit(Changes.of(members={"a": {"m"}}))
        assert queue.wait_until_applied({"a"}, 0.05) is False
        result: list[bool] = []
        waiter = threading.Thread(target=lambda: result.append(queue.wait_until_applied({"a"}, 5)))
        waiter.start()
        time.sleep(0.05)
        run_round(queue)
        waiter.join(5)
        assert result == [True]


def test_a_waiter_with_less_than_a_second_left_still_waits() -> None:
    queue = WorkQueue()
    queue.submit(Changes.of(members={"a": {"m"}}))
    worker = threading.Timer(0.1, run_round, args=(queue,))
    worker.start()
    assert queue.wait_until_applied({"a"}, 0.8) is True
    worker.join()


def test_a_failed_round_is_logged_with_its_load_balancer(caplog: pytest.LogCaptureFixture) -> None:
    queue = WorkQueue()
    queue.submit(Changes.rebuild("lb-7"))

    def broken(_work: Work) -> bool:
        raise RuntimeError("boom")

    queue.serve(take(queue) or "", broken)
    assert [record.getMessage() for record in caplog.records] == ["applying changes to load balancer lb-7 failed"]
