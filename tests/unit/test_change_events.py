"""What a commit tells the data plane: whole load balancers, or only some of their members."""

from pathlib import Path

from elbd.changes import Changes
from elbd.store.db import Database, mark_changed, mark_members_changed


def test_member_changes_are_told_apart_from_whole_load_balancer_changes(tmp_path: Path) -> None:
    told: list[Changes] = []
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}", on_change=told.append)
    with db.write() as session:
        mark_members_changed(session, "lb1", ["m1"])
        mark_members_changed(session, "lb1", ["m2"])
        mark_members_changed(session, "lb2", ["m3"])
        mark_members_changed(session, None, ["m4"])
        mark_changed(session, "lb2")
    with db.write() as session:
        mark_members_changed(session, "lb3", [])
    assert told == [Changes(frozenset({"lb2"}), {"lb1": frozenset({"m1", "m2"})})]
    db.dispose()
