"""A probe: requests sent one after another through a VIP on one keep-alive connection, each recorded
with its send and receive times and the answering backend's name."""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Self

from bench.httpclient import Connection, HttpError

PROBE_LIMIT_S = 120.0  # a probe never runs longer than this


@dataclass(frozen=True)
class Sample:
    sent: float
    received: float
    status: int
    body: str


@dataclass
class Probe:
    host: str
    port: int
    interval_s: float = 0.001
    path: str = "/"
    headers: dict[str, str] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _stopping: bool = False

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        # a flag as well as the cancel: Python 3.11's asyncio.wait_for can swallow a cancellation that
        # arrives as the request completes, and the loop would then run on to PROBE_LIMIT_S
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        connection = Connection(self.host, self.port, timeout_s=5.0)
        deadline = time.monotonic() + PROBE_LIMIT_S
        try:
            while not self._stopping and time.monotonic() < deadline:
                sent = time.monotonic()
                try:
                    answer = await connection.request("GET", self.path, headers=self.headers)
                except HttpError as error:
                    self.errors.append(str(error))
                    await connection.close()
                    await asyncio.sleep(0.01)
                    continue
                self.samples.append(Sample(sent, time.monotonic(), answer.status, answer.body.decode(errors="replace")))
                if answer.status != 200:
                    self.errors.append(f"HTTP {answer.status}")
                await asyncio.sleep(self.interval_s)
        finally:
            await connection.close()

    def mark(self) -> int:
        return len(self.samples)

    def first_from(self, name: str, start: int, sent_after: float) -> Sample | None:
        return next((s for s in self.samples[start:] if s.body == name and s.sent >= sent_after), None)

    def last_from(self, name: str, start: int) -> Sample | None:
        return next((s for s in reversed(self.samples[start:]) if s.body == name), None)

    def count_from(self, name: str, start: int, sent_after: float) -> int:
        return sum(1 for s in self.samples[start:] if s.body == name and s.sent > sent_after)

    async def wait_first(self, name: str, start: int, sent_after: float, timeout_s: float) -> Sample | None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.first_from(name, start, sent_after)
            if found is not None:
                return found
            await asyncio.sleep(0.001)
        return None
