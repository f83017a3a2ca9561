import uuid

from elbd.api.shapes.members import BatchMember, BatchUpdatedMember, Member, MemberInfo, Reason
from elbd.clock import format_time
from elbd.service import member_status
from elbd.service.member_status import HealthFacts
from elbd.store.models import Member as MemberRow


def member_view(member: MemberRow, facts: HealthFacts) -> Member:
    status = member_status.operating_status(member, facts)
    reason = _reason(member, status)
    changed = format_time(member.health_changed_at or member.created_at)
    return {
        "id": member.id,
        "name": member.name,
        "project_id": member.project_id,
        "admin_state_up": member_status.instance_exists(member, facts),
        "subnet_cidr_id": member.subnet_cidr_id,
        "protocol_port": member.protocol_port,
        "weight": member.weight,
        "address": member.address,
        "ip_version": member.ip_version,
        "operating_status": status,
        "reason": reason,
        "status": [
            {"listener_id": listener_id, "operating_status": status, "reason": reason, "created_at": changed, "updated_at": changed}
            for listener_id in facts.pools[member.pool_id].listener_ids
        ],
        "availability_zone": member.availability_zone,
        "member_type": member.member_type,
        "instance_id": member.instance_id if member.member_type == "instance" else "",
        "created_at": format_time(member.created_at),
        "updated_at": format_time(member.updated_at),
    }


def _reason(member: MemberRow, status: str) -> Reason | None:
    """Why the last health check failed, for an OFFLINE member that failed one."""
    if status != member_status.OFFLINE or member.reason_code is None:
        return None
    return {
        "reason_code": member.reason_code,
        "expected_response": member.expected_response,
        "healthcheck_response": member.healthcheck_response,
    }


def member_info_view(member: MemberRow, facts: HealthFacts) -> MemberInfo:
    """The project-wide listing adds where each member sits."""
    load_balancer_id = facts.pools[member.pool_id].load_balancer_id
    return {
        **member_view(member, facts),
        "pool_id": member.pool_id,
        "loadbalancer_id": load_balancer_id,
        "loadbalancers": [{"id": load_balancer_id}] if load_balancer_id else [],
        "device_owner": "",
        "device_id": member.instance_id,
    }


def port_id_of(member: MemberRow) -> str:
    """The id of the member's port, derived from its subnet and address: the same in every answer."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"port:{member.subnet_cidr_id or ''}:{member.address}"))


def batch_member_view(member: MemberRow, facts: HealthFacts, ret_status: str) -> BatchMember:
    return {**member_view(member, facts), "port_id": port_id_of(member), "ret_status": ret_status}


def batch_updated_member_view(member: MemberRow, facts: HealthFacts) -> BatchUpdatedMember:
    return {**member_view(member, facts), "port_id": port_id_of(member)}
