"""The test suite's port slices (tests/ports.py): pytest-xdist workers never probe the same port."""

from tests.ports import PORTS, worker_slice


def test_without_xdist_the_whole_range_is_used() -> None:
    assert worker_slice(None, 1) == PORTS


def test_the_workers_slices_are_disjoint_and_within_the_range() -> None:
    for count in (1, 2, 3, 4, 8):
        slices = [set(worker_slice(f"gw{index}", count)) for index in range(count)]
        assert all(len(one) >= len(PORTS) // count for one in slices)
        assert sum(len(one) for one in slices) == len(set().union(*slices))  # no port in two slices
        assert set().union(*slices) <= set(PORTS)

