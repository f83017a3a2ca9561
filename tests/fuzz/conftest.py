"""The fuzzer's application: one elbd (data plane `none`) with the shared projects of tests/api/world.py."""

from collections.abc import Iterator

import pytest

from tests.api.world import World, open_world


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("fuzz") / "elbd-data") as opened:
        yield opened
