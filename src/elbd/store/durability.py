"""When an SQLite commit reaches the disk: ELBD_SQLITE_SYNCHRONOUS, FULL unless set to NORMAL.

In WAL mode both survive a crash of the elbd process (a commit is written to the WAL before the client
hears its answer, and the OS keeps it) and neither lets a crash corrupt the database. They differ on
power loss or an OS crash: FULL fsyncs the WAL at every commit, so every acknowledged write survives;
NORMAL fsyncs only at checkpoints, so the last commits before the outage can be lost. FULL is the
default because a 201 is a promise; it costs one fsync per write request (about 1 ms on an SSD).
NORMAL suits databases that are thrown away anyway (CI, development).
"""

import os

from elbd.store.refusal import StoreRefused

SYNCHRONOUS_MODES = ("FULL", "NORMAL")
DEFAULT_SYNCHRONOUS = "FULL"


def synchronous_mode(setting: str | None) -> str:
    """The mode an ELBD_SQLITE_SYNCHRONOUS setting names (any case), FULL when it is unset."""
    value = setting or DEFAULT_SYNCHRONOUS
    mode = value.strip().upper()
    if mode not in SYNCHRONOUS_MODES:
        raise StoreRefused(f"ELBD_SQLITE_SYNCHRONOUS must be FULL or NORMAL, not {value!r}.")
    return mode


def sqlite_synchronous() -> str:
    """The mode ELBD_SQLITE_SYNCHRONOUS names in this process's environment."""
    return synchronous_mode(os.environ.get("ELBD_SQLITE_SYNCHRONOUS"))
