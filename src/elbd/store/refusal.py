"""What the store refuses to work with (a damaged or foreign database, a busy data dir, a bad setting)."""


class StoreRefused(Exception):
    """Its message says, in one line, what is wrong and what to do; commands print it, not a traceback."""


class StateUnusable(Exception):
    """The data directory, its key file or the database cannot be used as they are; the message says why."""
