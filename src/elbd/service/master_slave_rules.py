"""The rules of active/standby (master-slave) backend server groups, apart from any I/O.

- Exactly two members: one master (active), one slave (standby). The data plane makes the slave a
  HAProxy `backup` server: it takes connections only while the master is down (its checks failed).
- A health check is given with the group: without one the master would never be seen down.
- Protocols and listeners as the API's table (service/protocols.py): TCP and TLS groups (UDP and QUIC
  are refused, not served yet), a TCP listener takes a TCP group, a TLS listener a TLS or a v4 TCP one.
- Made whole and deleted whole: its members, their roles and its check are not changed afterwards
  through the member, health-check or pool calls (a 400 that says so); DELETE .../master-slave-pools/{id}
  (or a pool's delete-cascade) takes it with its members and check.
"""

from collections.abc import Sequence

from elbd.errors import invalid

ROLES = ("master", "slave")


def check_roles(roles: Sequence[str]) -> None:
    if sorted(roles) != sorted(ROLES):
        raise invalid(
            "Invalid input for 'members': an active/standby backend server group has exactly two members, "
            f"one with role master and one with role slave (given: {', '.join(roles) or 'none'})."
        )


def refuse_change(pool_id: str, master_slave: bool, what: str) -> None:
    """A 400 for a change of `what` in an active/standby group: it is made whole and deleted whole."""
    if master_slave:
        raise invalid(
            f"Backend server group {pool_id} is an active/standby group: its {what} cannot change after it is created; "
            "delete it (DELETE .../master-slave-pools/{pool_id}) and create it again."
        )
