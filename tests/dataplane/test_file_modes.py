"""A served load balancer's HAProxy files and Unix sockets are its owner's only: the run directory
under the data directory and the socket directory under $TMPDIR."""

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from elbd.dataplane.haproxy import socket_dir_for
from tests.conftest import Api, LiveServer
from tests.dataplane.conftest import Site, make_site, wait_for


def modes_under(root: Path) -> dict[str, int]:
    """Every path's mode; a file renamed into place meanwhile (a write's temporary file) is skipped."""
    modes = {}
    for path in (root, *root.rglob("*")):
        try:
            modes[str(path)] = stat.S_IMODE(path.lstat().st_mode)
        except FileNotFoundError:
            continue
    return modes


def test_haproxy_files_and_sockets_are_the_owners_only(elbd_haproxy: LiveServer, site: Site) -> None:
    run_dir = elbd_haproxy.data_dir / "haproxy" / site.lb["id"]
    socket_dir = socket_dir_for(elbd_haproxy.data_dir, site.lb["id"])
    wait_for(lambda: all((run_dir / name).exists() for name in ("haproxy.cfg", "haproxy.pid", "server-state")))
    wait_for(lambda: all((socket_dir / name).exists() for name in ("master.sock", "stats.sock", "placeholder.sock")))
    sockets = {name: stat.S_IMODE((socket_dir / name).lstat().st_mode) for name in ("master.sock", "stats.sock", "placeholder.sock")}
    assert sockets == dict.fromkeys(sockets, 0o600)
    assert all(stat.S_ISSOCK((socket_dir / name).lstat().st_mode) for name in sockets)
    for root in (elbd_haproxy.data_dir, socket_dir.parent):
        exposed = {path: mode for path, mode in modes_under(root).items() if mode & 0o077}
        assert exposed == {}, root
    assert stat.S_IMODE(socket_dir.parent.stat().st_mode) == 0o700


NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user takes root")
def test_a_socket_directory_of_another_user_is_reported_not_used(elbd_haproxy: LiveServer, cloud: Api) -> None:
    taken = socket_dir_for(elbd_haproxy.data_dir, "any").parent
    taken.mkdir(mode=0o700, exist_ok=True)
    before = set(taken.iterdir())  # the access logs' socket, bound when elbd serve started
    os.chown(taken, NOBODY, NOBODY)
    try:
        site = make_site(cloud)

        def reported() -> dict[str, Any] | None:
            tree = cloud.ok("GET", f"loadbalancers/{site.lb['id']}/statuses")["statuses"]["loadbalancer"]
            return tree if tree["provisioning_status"] == "ERROR" else None

        tree = wait_for(reported)
        assert "another user" in tree["dataplane"]["message"]
        assert set(taken.iterdir()) == before  # nothing of the load balancer's made in it
    finally:
        os.chown(taken, os.getuid(), os.getgid())
