"""What `elbd serve` sends its data-plane agent: changes queued back to back go as one message, and
nothing overtakes a message that was queued before it (a wait must follow the changes it waits for)."""

import queue

from elbd.changes import Changes
from elbd.dataplane.agent import Changed, Stop, ToAgent, Wait, merge_queued_changes


def test_changes_queued_back_to_back_merge_and_stop_at_the_first_other_message() -> None:
    outbox: queue.Queue[ToAgent | None] = queue.Queue()
    wait = Wait(1, frozenset({"lb1"}), 5.0)
    for message in [
        Changed(Changes.of(members={"lb1": {"m2"}, "lb2": {"m3"}})),
        Changed(Changes.rebuild("lb2")),
        wait,
        Changed(Changes.of(members={"lb3": {"m4"}})),
    ]:
        outbox.put(message)
    merged, taken = merge_queued_changes(Changed(Changes.of(members={"lb1": {"m1"}})), outbox)
    assert merged == Changed(Changes.of({"lb2"}, {"lb1": {"m1", "m2"}}))
    assert taken == wait
    assert outbox.get_nowait() == Changed(Changes.of(members={"lb3": {"m4"}}))
    assert outbox.empty()


def test_a_lone_change_goes_as_it_is() -> None:
    outbox: queue.Queue[ToAgent | None] = queue.Queue()
    lone = Changed(Changes.of(members={"lb1": {"m1"}}))
    assert merge_queued_changes(lone, outbox) == (lone, None)


def test_the_end_of_the_queue_stays_the_end() -> None:
    outbox: queue.Queue[ToAgent | None] = queue.Queue()
    outbox.put(Stop())
    outbox.put(None)
    merged, taken = merge_queued_changes(Changed(Changes.rebuild("lb1")), outbox)
    assert (merged, taken) == (Changed(Changes.rebuild("lb1")), Stop())
    assert outbox.get_nowait() is None


def test_a_none_right_behind_changes_is_put_back() -> None:
    outbox: queue.Queue[ToAgent | None] = queue.Queue()
    outbox.put(None)
    assert merge_queued_changes(Changed(Changes.rebuild("lb1")), outbox) == (Changed(Changes.rebuild("lb1")), None)
    assert outbox.get_nowait() is None


def test_the_agent_raises_its_open_files_limit_to_the_hard_one() -> None:
    import resource

    from elbd.dataplane.agent import WANTED_DESCRIPTORS, descriptor_limit

    assert descriptor_limit(1024, 524288) == 524288  # systemd's default: a pidfd per load balancer needs more
    assert descriptor_limit(1024, resource.RLIM_INFINITY) == WANTED_DESCRIPTORS
    assert descriptor_limit(524288, 524288) is None
    assert descriptor_limit(resource.RLIM_INFINITY, resource.RLIM_INFINITY) is None
