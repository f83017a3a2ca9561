"""Why a load balancer's process is reloaded, in one log line: the first lines where the skeleton it
runs and the skeleton it should run differ. A reload an operator did not ask for (after an elbd
restart, say) is then explained by the log alone. Pure."""

import difflib

SHOWN_LINES = 4


def skeleton_change(applied: str | None, desired: str) -> str:
    """The first changed lines of `applied` -> `desired`, `-` for a line that goes and `+` for one that
    comes; at most SHOWN_LINES of them."""
    if applied is None:
        return "the skeleton it runs was not recorded"
    changed = [
        line[0] + line[1:].strip()
        for line in difflib.unified_diff(applied.splitlines(), desired.splitlines(), n=0, lineterm="")
        if line[:1] in ("+", "-") and not line.startswith(("+++", "---"))
    ]
    if not changed:
        return "the skeleton is the same"
    more = f" (and {len(changed) - SHOWN_LINES} more changed lines)" if len(changed) > SHOWN_LINES else ""
    return " | ".join(changed[:SHOWN_LINES]) + more
