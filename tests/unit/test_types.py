"""src/elbd type-checks, as pyproject.toml configures mypy. Among the rest this holds every view to the
shape (api/shapes/) that the OpenAPI document declares for its answer."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_no_error() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"mypy found type errors:\n{done.stdout}{done.stderr}"
