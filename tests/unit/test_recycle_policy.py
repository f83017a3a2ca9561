"""The recycle bin's rules, without a store: which deletes it keeps, when an entry goes, what a policy may say."""

from datetime import datetime, timedelta

import pytest

from elbd.errors import ElbError
from elbd.recycle_policy import DEFAULT_POLICY, MAX_HOURS, Policy, auto_terminate_at, changed_policy, expired, kept_on_delete

CREATED = datetime(2026, 1, 1, 12, 0, 0)


def test_nothing_is_kept_while_the_bin_is_off() -> None:
    assert not kept_on_delete(False, DEFAULT_POLICY, CREATED, CREATED + timedelta(days=3))


def test_a_load_balancer_younger_than_the_threshold_is_deleted_for_good() -> None:
    policy = Policy(retention_hour=24, recycle_threshold_hour=2)
    assert not kept_on_delete(True, policy, CREATED, CREATED + timedelta(hours=2) - timedelta(seconds=1))
    assert kept_on_delete(True, policy, CREATED, CREATED + timedelta(hours=2))


def test_an_entry_goes_at_its_retention_and_a_later_policy_does_not_move_it() -> None:
    terminate = auto_terminate_at(CREATED, Policy(retention_hour=5, recycle_threshold_hour=0))
    assert terminate == CREATED + timedelta(hours=5)
    assert not expired(terminate, terminate - timedelta(seconds=1))
    assert expired(terminate, terminate)


def test_a_policy_change_keeps_what_it_does_not_name() -> None:
    assert changed_policy(DEFAULT_POLICY, 12, None) == Policy(12, DEFAULT_POLICY.recycle_threshold_hour)
    assert changed_policy(Policy(12, 3), None, 0) == Policy(12, 0)


@pytest.mark.parametrize(("retention", "threshold"), [(0, None), (MAX_HOURS + 1, None), (None, -1), (None, MAX_HOURS + 1)])
def test_a_policy_out_of_range_is_refused(retention: int | None, threshold: int | None) -> None:
    with pytest.raises(ElbError) as refused:
        changed_policy(DEFAULT_POLICY, retention, threshold)
    assert refused.value.status == 400

