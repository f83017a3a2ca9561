"""Directories and files that only their owner can use: the data directory, the database and key
files in it, and HAProxy's socket directories under the shared $TMPDIR."""

import os
import stat
from pathlib import Path

PRIVATE_DIRECTORY_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
GROUP_AND_OTHERS = 0o077


class UnsafePathError(Exception):
    """A path elbd keeps secrets in belongs to another user, or is not what elbd expects there."""


def private_directory(path: Path) -> Path:
    """Create `path` and its missing parents with mode 0700, or take away the group and other bits
    of an existing one. A directory owned by another user is refused: its name may be predictable
    (the socket directory under /tmp), so someone else could have made it first."""
    missing = []
    for directory in (path, *path.parents):
        if directory.exists():
            break
        missing.append(directory)
    for directory in reversed(missing):
        try:
            os.mkdir(directory, PRIVATE_DIRECTORY_MODE)
        except FileExistsError:
            pass
    _restrict_to_owner(path, expect_directory=True)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 0600 unless it exists; take away group and other bits of an existing one."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass
    _restrict_to_owner(path, expect_directory=False)
    return path


def restrict_if_present(path: Path) -> None:
    """Take away group and other bits of `path` when it exists (SQLite's -wal and -shm files)."""
    if path.exists():
        _restrict_to_owner(path, expect_directory=False)


def _restrict_to_owner(path: Path, *, expect_directory: bool) -> None:
    status = path.stat()
    if stat.S_ISDIR(status.st_mode) != expect_directory:
        raise UnsafePathError(f"{path} is not a {'directory' if expect_directory else 'regular file'}.")
    if status.st_uid != os.geteuid():
        raise UnsafePathError(f"{path} belongs to another user (uid {status.st_uid}); elbd keeps its state only in paths it owns.")
    mode = stat.S_IMODE(status.st_mode)
    if mode & GROUP_AND_OTHERS:
        os.chmod(path, mode & ~GROUP_AND_OTHERS)
