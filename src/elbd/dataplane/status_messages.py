"""What a tenant may read of the data plane's troubles: the message, never the host's file paths.

A load balancer's `statuses` show why its data plane failed (an invalid configuration, a socket
directory that is not elbd's, a failed reload). The texts come from HAProxy and from elbd's own checks,
and name files under the data directory and the socket directory; a path is reduced to its last part
(`haproxy.cfg.new:52`, `master.sock`), which is what a reader needs and says nothing of the host."""

import re

MAX_LENGTH = 2000
_PATH = re.compile(r"(?<![\w.~-])/(?:[^\s/:'\"\[\]()]+/)+([^\s/:'\"\[\]()]+)")


def for_tenants(message: str) -> str:
    return _PATH.sub(r"\1", message)[:MAX_LENGTH]
