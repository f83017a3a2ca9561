"""Instances in the ECS v1 shape, which calls them servers."""

from typing import Any

from elbd.clock import format_time
from elbd.store.models import Instance, InstanceNic


def instance_view(instance: Instance, nics: list[InstanceNic], vpc_of_subnet: dict[str, str]) -> dict[str, Any]:
    addresses: dict[str, list[dict[str, Any]]] = {}
    for nic in nics:
        addresses.setdefault(vpc_of_subnet.get(nic.subnet_id, ""), []).append(
            {"version": "4", "addr": nic.ip_address, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS:port_id": nic.id}
        )
    return {
        "id": instance.id,
        "name": instance.name,
        "status": instance.status,
        "addresses": addresses,
        "metadata": {"vpc_id": next(iter(addresses), "")},
        "tenant_id": instance.project_id,
        "OS-EXT-STS:vm_state": "active" if instance.status == "ACTIVE" else "stopped",
        "created": format_time(instance.created_at),
        "updated": format_time(instance.updated_at),
    }
