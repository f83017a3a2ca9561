"""The recycle bin's rules, apart from the store: which deletes it keeps, for how long, and what a
policy may say. service/recycle_bin.py does the I/O."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from elbd.errors import invalid

MAX_HOURS = 720  # 30 days: the longest a deleted load balancer's VIP stays held, and the longest threshold


@dataclass(frozen=True)
class Policy:
    retention_hour: int  # how long a load balancer stays in the bin before it is purged
    recycle_threshold_hour: int  # a load balancer younger than this is deleted for good, never kept


DEFAULT_POLICY = Policy(retention_hour=168, recycle_threshold_hour=0)


def changed_policy(current: Policy, retention_hour: int | None, recycle_threshold_hour: int | None) -> Policy:
    """`current` with the values given; each checked (400 for one out of range)."""
    updated = Policy(
        current.retention_hour if retention_hour is None else retention_hour,
        current.recycle_threshold_hour if recycle_threshold_hour is None else recycle_threshold_hour,
    )
    if not 1 <= updated.retention_hour <= MAX_HOURS:
        raise invalid(f"Invalid input for 'retention_hour': {updated.retention_hour} is not from 1 to {MAX_HOURS} hours.")
    if not 0 <= updated.recycle_threshold_hour <= MAX_HOURS:
        raise invalid(f"Invalid input for 'recycle_threshold_hour': {updated.recycle_threshold_hour} is not from 0 to {MAX_HOURS} hours.")
    return updated


def kept_on_delete(enabled: bool, policy: Policy, created_at: datetime, now: datetime) -> bool:
    """Whether a delete puts the load balancer in the bin (rather than removing it for good)."""
    return enabled and now - created_at >= timedelta(hours=policy.recycle_threshold_hour)


def auto_terminate_at(recycled_at: datetime, policy: Policy) -> datetime:
    """When a load balancer put in the bin at `recycled_at` is purged: the policy of that moment holds,
    a later change of the policy moves no one already in the bin."""
    return recycled_at + timedelta(hours=policy.retention_hour)


def expired(terminate_at: datetime, now: datetime) -> bool:
    """Past its time, an entry is gone: it holds no VIP and cannot be restored, purged yet or not."""
    return now >= terminate_at
