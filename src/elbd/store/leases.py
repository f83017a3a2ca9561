"""The nodes' heartbeats and the load balancers' leases in PostgreSQL, as single statements: every
decision of who holds what is a conditional write (a claim succeeds only where the lease ran out, a
renewal only where this node still holds it), so the database, not a node's memory, says who serves.
Times are the database's clock alone (UTC, as the other columns); a node never compares its clock with it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, text

from elbd.cluster.decisions import ClusterSeen, PlacementSeen, PlacementVersions
from elbd.cluster.timing import LEASE_S

_NOW = "(now() AT TIME ZONE 'utc')"
_LEASE_END = f"({_NOW} + make_interval(secs => {LEASE_S}))"


@dataclass(frozen=True)
class Held:
    epoch: int
    config_version: int


@dataclass(frozen=True)
class NodeSeen:
    name: str
    heartbeat_age_s: float
    load: int


def heartbeat(connection: Connection, node: str) -> None:
    connection.execute(
        text(f"INSERT INTO nodes (name, heartbeat_at) VALUES (:node, {_NOW}) ON CONFLICT (name) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at"),
        {"node": node},
    )


def renew(connection: Connection, node: str) -> dict[str, Held]:
    """Extend every lease the node still holds; a lease that ran out is not revived (another node may be
    claiming it). Answers what the node holds now."""
    rows = connection.execute(
        text(
            f"UPDATE placements SET lease_until = {_LEASE_END} WHERE node = :node AND lease_until > {_NOW} "
            "RETURNING loadbalancer_id, epoch, config_version"
        ),
        {"node": node},
    )
    return {row[0]: Held(row[1], row[2]) for row in rows}


def look(connection: Connection) -> ClusterSeen:
    """The live nodes (a heartbeat within one lease) and every load balancer with its placement."""
    live = connection.execute(text(f"SELECT name FROM nodes WHERE heartbeat_at > {_NOW} - make_interval(secs => {LEASE_S})"))
    placements = connection.execute(
        text(
            f"SELECT lb.id, p.node, p.lease_until <= {_NOW}, p.moving_to FROM loadbalancers lb "
            "LEFT JOIN placements p ON p.loadbalancer_id = lb.id"
        )
    )
    return ClusterSeen(
        frozenset(row[0] for row in live),
        tuple(PlacementSeen(row[0], row[1], bool(row[2]), row[3]) for row in placements),
    )


def claim(connection: Connection, load_balancer_id: str, node: str) -> Held | None:
    """Place a load balancer never placed on the node (epoch 1), or take one whose lease ran out (epoch
    + 1); None when another node got there first or the load balancer is gone."""
    with connection.begin_nested():
        row = connection.execute(
            text(
                "INSERT INTO placements (loadbalancer_id, node, epoch, lease_until, config_version) "
                f"SELECT id, :node, 1, {_LEASE_END}, 0 FROM loadbalancers WHERE id = :lb "
                "ON CONFLICT (loadbalancer_id) DO UPDATE SET node = EXCLUDED.node, epoch = placements.epoch + 1, "
                f"lease_until = EXCLUDED.lease_until, moving_to = NULL WHERE placements.lease_until <= {_NOW} "
                "RETURNING epoch, config_version"
            ),
            {"lb": load_balancer_id, "node": node},
        ).first()
    return Held(row[0], row[1]) if row else None


def arrive(connection: Connection, load_balancer_id: str, node: str) -> Held | None:
    """Take a load balancer an operator moves to the node (epoch + 1); its old node loses it at its next renewal."""
    row = connection.execute(
        text(
            f"UPDATE placements SET node = :node, epoch = epoch + 1, lease_until = {_LEASE_END}, moving_to = NULL "
            "WHERE loadbalancer_id = :lb AND moving_to = :node RETURNING epoch, config_version"
        ),
        {"lb": load_balancer_id, "node": node},
    ).first()
    return Held(row[0], row[1]) if row else None


def still_held(connection: Connection, held: dict[str, int], node: str) -> set[str]:
    """Those of these load balancers (id -> epoch) the node holds at that very epoch with a running
    lease: the fence of a status or health write. Their placement rows stay locked until the
    transaction ends, so no claim can pass between this check and the write it guards."""
    if not held:
        return set()
    rows = connection.execute(
        text(
            "UPDATE placements SET epoch = placements.epoch FROM (SELECT unnest(CAST(:ids AS text[])) AS id, unnest(CAST(:epochs AS int[])) AS held) AS mine "
            f"WHERE placements.loadbalancer_id = mine.id AND placements.epoch = mine.held AND placements.node = :node "
            f"AND placements.lease_until > {_NOW} RETURNING placements.loadbalancer_id"
        ),
        {"ids": list(held), "epochs": list(held.values()), "node": node},
    )
    return {row[0] for row in rows}


def record_applied(connection: Connection, node: str, applied: dict[str, Held]) -> None:
    """The node brought these load balancers' data plane to these configuration versions; written only
    where it still holds them at that epoch (a node that lost one reports nothing for it)."""
    if not applied:
        return
    connection.execute(
        text(
            "UPDATE placements SET applied_version = GREATEST(placements.applied_version, mine.version) FROM "
            "(SELECT unnest(CAST(:ids AS text[])) AS id, unnest(CAST(:epochs AS int[])) AS epoch, unnest(CAST(:versions AS int[])) AS version) AS mine "
            "WHERE placements.loadbalancer_id = mine.id AND placements.epoch = mine.epoch AND placements.node = :node"
        ),
        {"ids": list(applied), "epochs": [one.epoch for one in applied.values()], "versions": [one.config_version for one in applied.values()], "node": node},
    )


def versions(connection: Connection, load_balancer_ids: Iterable[str]) -> dict[str, PlacementVersions]:
    """The configuration and applied versions of those of these load balancers placed on a node whose
    lease still runs (one not placed, or whose node's lease ran out, is served by no node right now)."""
    rows = connection.execute(
        text(
            "SELECT loadbalancer_id, config_version, applied_version FROM placements "
            f"WHERE loadbalancer_id = ANY(CAST(:ids AS text[])) AND lease_until > {_NOW}"
        ),
        {"ids": list(load_balancer_ids)},
    )
    return {row[0]: PlacementVersions(row[1], row[2]) for row in rows}


def vips_of(connection: Connection, load_balancer_ids: Iterable[str]) -> dict[str, str]:
    """load balancer id -> its IPv4 VIP, of those that have one."""
    rows = connection.execute(
        text("SELECT id, vip_address FROM loadbalancers WHERE id = ANY(CAST(:ids AS text[])) AND vip_address IS NOT NULL"),
        {"ids": list(load_balancer_ids)},
    )
    return {row[0]: row[1] for row in rows}


def release(connection: Connection, node: str) -> None:
    """A node that stops hands its leases back: other nodes claim them at their next look."""
    connection.execute(text(f"UPDATE placements SET lease_until = {_NOW} WHERE node = :node"), {"node": node})


def load_balancers_of_members(connection: Connection, member_ids: Iterable[str]) -> dict[str, str]:
    """member id -> its load balancer."""
    rows = connection.execute(
        text("SELECT m.id, p.loadbalancer_id FROM members m JOIN pools p ON p.id = m.pool_id WHERE m.id = ANY(CAST(:ids AS text[]))"),
        {"ids": list(member_ids)},
    )
    return {row[0]: row[1] for row in rows if row[1] is not None}


def nodes(connection: Connection) -> list[NodeSeen]:
    rows = connection.execute(
        text(
            f"SELECT n.name, EXTRACT(EPOCH FROM {_NOW} - n.heartbeat_at), COUNT(p.loadbalancer_id) FROM nodes n "
            f"LEFT JOIN placements p ON p.node = n.name AND p.lease_until > {_NOW} GROUP BY n.name, n.heartbeat_at ORDER BY n.name"
        )
    )
    return [NodeSeen(row[0], float(row[1]), int(row[2])) for row in rows]


def ask_move(connection: Connection, load_balancer_id: str, node: str) -> bool:
    """Ask `node` to take the load balancer over; False when it is not placed anywhere yet."""
    return connection.execute(
        text("UPDATE placements SET moving_to = :node WHERE loadbalancer_id = :lb AND node <> :node"),
        {"lb": load_balancer_id, "node": node},
    ).rowcount == 1


def placed_on(connection: Connection, load_balancer_id: str) -> str | None:
    """The node holding the load balancer's running lease."""
    return connection.execute(
        text(f"SELECT node FROM placements WHERE loadbalancer_id = :lb AND lease_until > {_NOW}"), {"lb": load_balancer_id}
    ).scalar()


CONFIG_CHANNEL = "elbd_config"
NOTIFY_MAX_BYTES = 7900  # PostgreSQL's payload limit is 8000 bytes
EVERYTHING = "*"


def announce(connection: Connection, load_balancer_ids: Iterable[str]) -> None:
    """In a write's transaction: raise the changed load balancers' configuration version (the agents'
    resync compares it) and notify the agents (delivered at commit, lost for a disconnected agent)."""
    ids = sorted(load_balancer_ids)
    if not ids:
        return
    connection.execute(
        text("UPDATE placements SET config_version = config_version + 1 WHERE loadbalancer_id = ANY(CAST(:ids AS text[]))"), {"ids": ids}
    )
    payload = ",".join(ids)
    connection.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CONFIG_CHANNEL, "payload": payload if len(payload) <= NOTIFY_MAX_BYTES else EVERYTHING})


def announced(payload: str) -> set[str] | None:
    """The load balancers a notification names; None: all of them."""
    return None if payload == EVERYTHING else {one for one in payload.split(",") if one}
