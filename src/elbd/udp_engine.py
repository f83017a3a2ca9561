"""Whether this host has the UDP engine: nginx and its stream module (Debian: nginx-light or nginx,
and libnginx-mod-stream). A leaf the API's refusals and the data plane both read."""

import shutil
from pathlib import Path

STREAM_MODULE = Path("/usr/lib/nginx/modules/ngx_stream_module.so")
INSTALL_HINT = "install it with apt-get install nginx-light libnginx-mod-stream (or make haproxy)"


def nginx_binary() -> str | None:
    """nginx on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def udp_engine_missing() -> str | None:
    """What is missing for UDP listeners, or None when nginx and its stream module are installed."""
    if nginx_binary() is None:
        return "nginx is not installed"
    if not STREAM_MODULE.is_file():
        return "nginx's stream module is not installed"
    return None
