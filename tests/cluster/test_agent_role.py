"""`elbd agent` is the data plane of a cluster on PostgreSQL; on SQLite it is refused, with the way out."""

import os
import subprocess
import sys
from pathlib import Path


def agent(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "ELBD_DATABASE_URL"} | env
    return subprocess.run(
        [sys.executable, "-m", "elbd", "agent", "--data-dir", str(data_dir), *args], capture_output=True, text=True, timeout=60, env=environment
    )


def test_an_agent_on_sqlite_is_refused_and_told_what_to_use(tmp_path: Path) -> None:
    done = agent(tmp_path / "data", "--node", "node-1")
    assert done.returncode == 1
    assert "elbd agent needs a PostgreSQL database" in done.stderr and "elbd serve runs the data plane itself" in done.stderr
    assert not (tmp_path / "data" / "elbd.db").exists()


def test_a_node_name_that_is_not_a_plain_word_is_refused(tmp_path: Path) -> None:
    done = agent(tmp_path / "data", "--node", "bad name;", ELBD_DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    assert done.returncode == 1 and "--node is letters, digits" in done.stderr
