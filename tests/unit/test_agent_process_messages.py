"""What `elbd serve` sends its data-plane agent: changes queued back to back go as one message, and
nothing overtakes a message that was queued before it (a wait must follow the changes it waits for)."""

import queue

from elbd.dataplane.agent_process import Message, merge_queued_changes
from elbd.store.db import Changes


def test_changes_queued_back_to_back_merge_and_stop_at_the_first_other_message() -> None:
    outbox: queue.Queue[Message] = queue.Queue()
    wait: Message = ("wait", 1, frozenset({"lb1"}), 5.0)
    for message in [
        ("changed", Changes(members={"lb1": frozenset({"m2"}), "lb2": frozenset({"m3"})})),
        ("changed", Changes(load_balancers=frozenset({"lb2"}))),
        wait,
        ("changed", Changes(members={"lb3": frozenset({"m4"})})),
    ]:
        outbox.put(message)
    merged, taken = merge_queued_changes(Changes(members={"lb1": frozenset({"m1"})}), outbox)
    assert merged == Changes(frozenset({"lb2"}), {"lb1": frozenset({"m1", "m2"})})
    assert taken == wait
    assert outbox.get_nowait() == ("changed", Changes(members={"lb3": frozenset({"m4"})}))
    assert outbox.empty()


def test_a_lone_change_goes_as_it_is() -> None:
    outbox: queue.Queue[Message] = queue.Queue()
    lone = Changes(members={"lb1": frozenset({"m1"})})
    assert merge_queued_changes(lone, outbox) == (lone, None)
