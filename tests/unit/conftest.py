import os
from collections.abc import Iterator

import pytest


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """umask 0: a new file's or directory's mode is then exactly what its creator asked for."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)
