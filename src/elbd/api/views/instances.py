"""Instances in the ECS v1 shape, which calls them servers."""

from elbd.api.shapes.instances import Server, ServerAddress
from elbd.clock import format_time
from elbd.store.models import Instance, InstanceNic


def instance_view(instance: Instance, nics: list[tuple[InstanceNic, str]]) -> Server:
    """`nics`: the instance's NICs, each with its VPC's id."""
    addresses: dict[str, list[ServerAddress]] = {}
    for nic, vpc_id in nics:
        addresses.setdefault(vpc_id, []).append(
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
