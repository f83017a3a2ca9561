"""`elbd lb status ID`: the load balancer's status tree (GET .../loadbalancers/{id}/statuses) drawn as
a tree, a resource a line: listeners with their pools, pools with their health monitor and members,
a member's reason when a health check failed; pools no listener uses come last."""

from typing import Any

from elbd.cli_resources.output import cell


def _status(node: dict[str, Any]) -> str:
    return "/".join(str(node[key]) for key in ("provisioning_status", "operating_status") if node.get(key))


def _name(node: dict[str, Any]) -> str:
    return f"{node['name']} " if node.get("name") else ""


def _member(member: dict[str, Any]) -> str:
    line = f"member {member['address']}:{member['protocol_port']} ({member['id']}) {_status(member)}"
    reason = member.get("reason")
    if reason:
        got = f", got {reason['healthcheck_response']}" if reason.get("healthcheck_response") else ""
        expected = f", expected {reason['expected_response']}" if reason.get("expected_response") else ""
        line += f" [{cell(reason.get('reason_code'))}{expected}{got}]"
    return line


def _pool(pool: dict[str, Any]) -> tuple[str, list[tuple[str, list[Any]]]]:
    children: list[tuple[str, list[Any]]] = []
    monitor = pool.get("healthmonitor") or {}
    if monitor:
        children.append((f"healthmonitor {_name(monitor)}{monitor['type']} ({monitor['id']}) {monitor.get('provisioning_status', '')}".rstrip(), []))
    children += [(_member(member), []) for member in pool.get("members", [])]
    return f"pool {_name(pool)}({pool['id']}) {_status(pool)}", children


def tree_lines(statuses: dict[str, Any]) -> list[str]:
    lb = statuses["loadbalancer"]
    used = {pool["id"] for listener in lb.get("listeners", []) for pool in listener.get("pools", [])}
    children: list[tuple[str, list[Any]]] = [
        (f"listener {_name(listener)}({listener['id']}) {_status(listener)}", [_pool(pool) for pool in listener.get("pools", [])])
        for listener in lb.get("listeners", [])
    ]
    children += [_pool(pool) for pool in lb.get("pools", []) if pool["id"] not in used]
    head = f"loadbalancer {_name(lb)}({lb['id']}) {_status(lb)}"
    dataplane = lb.get("dataplane")
    if dataplane:
        head += f" dataplane {dataplane['state']}" + (f": {dataplane['message']}" if dataplane.get("message") else "")
    return [head, *_drawn(children, "")]


def _drawn(nodes: list[tuple[str, list[Any]]], prefix: str) -> list[str]:
    lines = []
    for index, (text, children) in enumerate(nodes):
        last = index == len(nodes) - 1
        lines.append(f"{prefix}{'└── ' if last else '├── '}{text}")
        lines += _drawn(children, prefix + ("    " if last else "│   "))
    return lines
