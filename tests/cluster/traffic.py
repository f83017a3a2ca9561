"""What a client's requests through a failover say: (monotonic time, succeeded) per request. Shared by
the cluster tests and the bench's failover part."""


def served_again_after(results: list[tuple[float, bool]], moment: float) -> float | None:
    """When requests succeeded again for good after `moment`: the first of the last run of successes
    (None: the last request failed)."""
    after = [(when, ok) for when, ok in results if when >= moment]
    if not after or not after[-1][1]:
        return None
    last_failure = max((when for when, ok in after if not ok), default=None)
    if last_failure is None:
        return after[0][0]
    return min(when for when, ok in after if ok and when > last_failure)


def failed_after(results: list[tuple[float, bool]], moment: float) -> int:
    return sum(1 for when, ok in results if when >= moment and not ok)
