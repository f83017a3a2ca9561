"""The resources the CLI manages: where each lives in the API, the keys of its bodies, and the columns
its list shows."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    command: str  # `elbd <command> ...`
    title: str
    collection: str  # under /v3/{project_id}/elb/; `{parent}` for a child resource
    one: str  # the body's key for one: {"loadbalancer": {...}}
    many: str  # the list's key: {"loadbalancers": [...]}
    columns: tuple[str, ...]
    parent: str | None = None  # the option naming the parent (`--pool ID`)

    def path(self, parent_id: str | None = None, resource_id: str | None = None) -> str:
        path = self.collection.format(parent=parent_id) if self.parent else self.collection
        return f"{path}/{resource_id}" if resource_id else path


KINDS = (
    Kind("lb", "load balancers", "loadbalancers", "loadbalancer", "loadbalancers",
         ("id", "name", "vip_address", "provisioning_status", "operating_status")),
    Kind("listener", "listeners", "listeners", "listener", "listeners",
         ("id", "name", "protocol", "protocol_port", "loadbalancers", "default_pool_id")),
    Kind("pool", "backend server groups (pools)", "pools", "pool", "pools",
         ("id", "name", "protocol", "lb_algorithm", "listeners", "healthmonitor_id")),
    Kind("member", "backend servers (members) of a pool", "pools/{parent}/members", "member", "members",
         ("id", "name", "address", "protocol_port", "weight", "operating_status"), parent="pool"),
    Kind("healthmonitor", "health monitors", "healthmonitors", "healthmonitor", "healthmonitors",
         ("id", "name", "type", "delay", "timeout", "max_retries", "pools")),
    Kind("l7policy", "forwarding policies", "l7policies", "l7policy", "l7policies",
         ("id", "name", "listener_id", "action", "priority", "provisioning_status")),
    Kind("l7rule", "forwarding rules of a policy", "l7policies/{parent}/rules", "rule", "rules",
         ("id", "type", "compare_type", "key", "value"), parent="policy"),
    Kind("ipgroup", "IP address groups", "ipgroups", "ipgroup", "ipgroups", ("id", "name", "description", "listeners")),
    Kind("certificate", "certificates", "certificates", "certificate", "certificates", ("id", "name", "type", "domain", "expire_time")),
    Kind("security-policy", "TLS security policies", "security-policies", "security_policy", "security_policies", ("id", "name", "protocols")),
    Kind("logtank", "log tanks (access logs)", "logtanks", "logtank", "logtanks", ("id", "loadbalancer_id", "log_group_id", "log_topic_id")),
)
KINDS_BY_COMMAND = {kind.command: kind for kind in KINDS}
