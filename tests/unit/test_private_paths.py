"""Directories and files only their owner can use, including HAProxy's run and socket directories
(their creation only: no HAProxy runs here)."""

import os
import stat
from pathlib import Path

import pytest

from elbd import private_paths
from elbd.dataplane.haproxy import HaproxyProcess, socket_dir_for
from elbd.private_paths import (
    UnsafePathError,
    private_directory,
    private_file,
    restrict_if_present,
)

NOBODY = 65534


@pytest.fixture
def owned_by_someone_else(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every existing path looks like another user's: this process's effective uid is taken as another."""
    uid = os.geteuid()
    monkeypatch.setattr(private_paths.os, "geteuid", lambda: uid + 1)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_directories_are_created_0700_parents_included(tmp_path: Path, permissive_umask: None) -> None:
    leaf = tmp_path / "a" / "b" / "data"
    private_directory(leaf)
    assert [mode(path) for path in (tmp_path / "a", tmp_path / "a" / "b", leaf)] == [0o700, 0o700, 0o700]


def test_an_existing_looser_directory_is_tightened(tmp_path: Path) -> None:
    loose = tmp_path / "data"
    loose.mkdir()
    loose.chmod(0o755)
    private_directory(loose)
    assert mode(loose) == 0o700


def test_a_directory_of_another_user_is_refused(tmp_path: Path, owned_by_someone_else: None) -> None:
    taken = tmp_path / "elbd-0123456789ab"
    taken.mkdir(mode=0o777)
    with pytest.raises(UnsafePathError, match="another user"):
        private_directory(taken)


def test_a_file_where_a_directory_belongs_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("")
    with pytest.raises(UnsafePathError, match="not a directory"):
        private_directory(tmp_path / "data")


def test_files_are_created_0600_and_looser_ones_tightened(tmp_path: Path, permissive_umask: None) -> None:
    created = private_file(tmp_path / "elbd.db")
    assert mode(created) == 0o600 and created.read_bytes() == b""
    existing = tmp_path / "elbd.db-wal"
    existing.write_bytes(b"kept")
    existing.chmod(0o644)
    restrict_if_present(existing)
    restrict_if_present(tmp_path / "elbd.db-shm")
    assert mode(existing) == 0o600 and existing.read_bytes() == b"kept"
    assert not (tmp_path / "elbd.db-shm").exists()


def test_haproxy_run_and_socket_directories_are_private(tmp_path: Path, permissive_umask: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir(mode=0o1777)
    monkeypatch.setattr("tempfile.tempdir", None)
    data_dir = tmp_path / "data"
    private_directory(data_dir)
    socket_dir = socket_dir_for(data_dir, "lb-1")
    process = HaproxyProcess(data_dir / "haproxy" / "lb-1", socket_dir)
    process.prepare()
    assert socket_dir.parent.parent == tmp_path / "tmp"
    for directory in (data_dir / "haproxy", process.run_dir, socket_dir.parent, socket_dir):
        assert mode(directory) == 0o700, directory


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user needs root")
def test_a_socket_directory_taken_by_another_user_is_refused(tmp_path: Path) -> None:
    taken = tmp_path / "tmp" / "elbd-0123456789ab"
    taken.mkdir(parents=True)
    os.chown(taken, NOBODY, NOBODY)
    process = HaproxyProcess(tmp_path / "data" / "haproxy" / "lb-1", taken / "lb-1")
    with pytest.raises(UnsafePathError, match=f"{taken} belongs to another user"):
        process.prepare()
    assert not (taken / "lb-1").exists()
