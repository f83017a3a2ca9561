"""The agent's access-log side without HAProxy: which messages become lines, and how a log rotates."""

import json
from pathlib import Path

from elbd.dataplane.access_log_lines import accepted_line
from elbd.dataplane.rotating_file import RotatingFile, must_rotate, rotations


def test_a_json_object_naming_a_load_balancer_is_one_line() -> None:
    record = {"loadbalancer_id": "lb-1", "user_agent": 'a"\\\u001b'}
    assert accepted_line(json.dumps(record).encode() + b"\n") == ("lb-1", json.dumps(record).encode() + b"\n")


def test_anything_else_is_dropped() -> None:
    for message in (
        b"",
        b'{"loadbalancer_id":"lb-1",\n"status":200}',  # valid JSON over two lines
        b'{"loadbalancer_id":"lb-1","uri":"/cut',  # cut at HAProxy's line length
        b'["loadbalancer_id"]',
        b'{"loadbalancer_id":"../etc"}',
        b'{"loadbalancer_id":"lb 1"}',
        b'{"loadbalancer_id":5}',
        b'{"status":200}',
        b'{"loadbalancer_id":"lb-1"}\r',
    ):
        assert accepted_line(message) is None, message


def test_a_rotation_shifts_every_kept_file_and_drops_the_oldest() -> None:
    log = Path("/logs/access.log")
    assert rotations(log, 2) == [
        (Path("/logs/access.log.2"), None),
        (Path("/logs/access.log.1"), Path("/logs/access.log.2")),
        (log, Path("/logs/access.log.1")),
    ]
    assert not must_rotate(0, 500, 100)  # a line longer than the bound still goes in, alone
    assert not must_rotate(50, 50, 100) and must_rotate(51, 50, 100)


def test_the_files_stay_within_their_bound(tmp_path: Path) -> None:
    path = tmp_path / "lb" / "access.log"
    log = RotatingFile(path, max_bytes=100, keep=2)
    for number in range(40):
        log.write(f"line {number:04d} .........\n".encode())  # 20 bytes
    log.close()
    files = sorted(path.parent.iterdir())
    assert [file.name for file in files] == ["access.log", "access.log.1", "access.log.2"]
    assert all(file.stat().st_size <= 100 for file in files)
    kept = (path.with_name("access.log.2").read_text() + path.with_name("access.log.1").read_text() + path.read_text()).splitlines()
    assert [int(line.split()[1]) for line in kept] == list(range(25, 40))
