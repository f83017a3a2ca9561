from elbd.api.shapes.security_policies import SecurityPolicy, SystemSecurityPolicy
from elbd.clock import format_time
from elbd.store.models import SecurityPolicy as SecurityPolicyRow
from elbd.tls_policies import SystemPolicy


def security_policy_view(policy: SecurityPolicyRow, listeners: dict[str, list[str]]) -> SecurityPolicy:
    """`listeners`: the ids of the listeners using each policy, by policy id."""
    return {
        "id": policy.id,
        "project_id": policy.project_id,
        "name": policy.name,
        "description": policy.description,
        "listeners": [{"id": listener_id} for listener_id in listeners.get(policy.id, [])],
        "protocols": list(policy.protocols),
        "ciphers": list(policy.ciphers),
        "enterprise_project_id": "0",
        "created_at": format_time(policy.created_at),
        "updated_at": format_time(policy.updated_at),
    }


def system_security_policy_view(policy: SystemPolicy, project_id: str) -> SystemSecurityPolicy:
    return {"name": policy.name, "protocols": " ".join(policy.protocols), "ciphers": ":".join(policy.ciphers), "project_id": project_id}
