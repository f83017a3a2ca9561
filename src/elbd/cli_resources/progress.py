"""The progress bar of long commands, on stderr (stdout stays the command's answer)."""

from typing import TextIO

WIDTH = 30


def bar(done: int, total: int, width: int = WIDTH) -> str:
    filled = width if total <= 0 else min(width, done * width // total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


class Progress:
    """Redrawn in place on a terminal; a line per step elsewhere (a log keeps every step)."""

    def __init__(self, stream: TextIO, total: int, label: str) -> None:
        self.stream = stream
        self.total = total
        self.label = label
        self.terminal = stream.isatty()

    def show(self, done: int) -> None:
        text = f"{self.label} {bar(done, self.total)}"
        self.stream.write(f"\r{text}" if self.terminal else f"{text}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.terminal:
            self.stream.write("\n")
            self.stream.flush()
