"""A configuration file is replaced only when its text changes: a restarted agent converging a thousand
running processes finds most files as they should be, and leaves them."""

from pathlib import Path

from elbd.dataplane.haproxy import HaproxyProcess


def test_the_same_text_leaves_the_file_as_it_is_and_new_text_replaces_it(tmp_path: Path) -> None:
    process = HaproxyProcess(tmp_path / "run", tmp_path / "sockets")
    process.run_dir.mkdir()
    process.write_config("global\n")
    first = process.config.stat().st_ino
    process.write_config("global\n")
    assert process.config.stat().st_ino == first  # not replaced
    assert not (process.run_dir / "haproxy.cfg.new").exists()
    process.write_config("global\n    maxconn 10\n")
    assert process.config.read_text() == "global\n    maxconn 10\n"
    assert process.config.stat().st_ino != first
