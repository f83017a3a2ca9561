"""What the store refuses to work with (a damaged or foreign database, a busy data dir, a bad setting)."""


class StoreRefused(Exception):
    """Its message says, in one line, what is wrong and what to do; commands print it, not a traceback."""
