"""Waiting on a VIP, each wait bounded in time: until it serves a given backend, until it answers at
all, until it stops answering."""

import asyncio
import time

from bench.httpclient import Connection, HttpError


async def wait_serving(address: str, port: int, bodies: str | set[str], timeout_s: float = 15.0) -> None:
    """Until a GET answers 200 with one of `bodies` (backend names); RuntimeError after `timeout_s`."""
    wanted = {bodies} if isinstance(bodies, str) else bodies
    connection = Connection(address, port, timeout_s=2.0)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            try:
                answer = await connection.request("GET", "/")
                if answer.status == 200 and answer.body.decode() in wanted:
                    return
            except HttpError:
                await connection.close()
            await asyncio.sleep(0.02)
    finally:
        await connection.close()
    raise RuntimeError(f"{address}:{port} did not serve {sorted(wanted)} within {timeout_s} s")


async def first_answer(address: str, port: int, since: float, timeout_s: float = 10.0) -> float:
    """When the port first answered anything (a 503 included); NaN if not within `timeout_s` of `since`."""
    connection = Connection(address, port, timeout_s=1.0)
    try:
        while time.monotonic() < since + timeout_s:
            try:
                await connection.request("GET", "/")
                return time.monotonic()
            except HttpError:
                await connection.close()
                await asyncio.sleep(0.002)
    finally:
        await connection.close()
    return float("nan")


async def gone(address: str, port: int, timeout_s: float) -> bool:
    """Until the port refuses (a listener removed by a reload), at most `timeout_s`; False if it still answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        connection = Connection(address, port, timeout_s=1.0)
        try:
            await connection.request("GET", "/")
        except HttpError:
            return True
        finally:
            await connection.close()
        await asyncio.sleep(0.05)
    return False
