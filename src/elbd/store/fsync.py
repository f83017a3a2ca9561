import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    """Flush a file, or a directory's entries (so a new or renamed name in it survives a crash)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
