"""A file that never outgrows `max_bytes`: when the next write would pass it, `name` becomes `name.1`,
`name.1` becomes `name.2` ..., and the oldest beyond `keep` is removed; so a log takes at most
`max_bytes` times (keep + 1) on disk."""

import os
from pathlib import Path
from typing import BinaryIO


def rotations(path: Path, keep: int) -> list[tuple[Path, Path | None]]:
    """The renames of one rotation, oldest first: (from, to), `to` None for the file to remove."""
    names = [path, *(path.with_name(f"{path.name}.{number}") for number in range(1, keep + 1))]
    return [(names[index], names[index + 1] if index + 1 < len(names) else None) for index in reversed(range(len(names)))]


def must_rotate(size: int, adding: int, max_bytes: int) -> bool:
    """A line longer than the whole bound still goes in, alone in a fresh file."""
    return size > 0 and size + adding > max_bytes


class RotatingFile:
    def __init__(self, path: Path, max_bytes: int, keep: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.keep = keep
        self._file: BinaryIO | None = None
        self._size = 0

    def write(self, data: bytes) -> None:
        if self._file is None:
            self._open()
        if must_rotate(self._size, len(data), self.max_bytes):
            self._rotate()
        assert self._file is not None
        self._file.write(data)
        self._size += len(data)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "ab")
        self._size = self._file.tell()

    def _rotate(self) -> None:
        self.close()
        for source, target in rotations(self.path, self.keep):
            if not source.exists():
                continue
            if target is None:
                source.unlink()
            else:
                os.replace(source, target)
        self._open()
