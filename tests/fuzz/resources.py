"""Real resources for the fuzzer to aim at: a generated id in a path or a body finds nothing, so each
operation gets a small world of its own (its DELETEs cannot starve the next operation) whose ids the
test swaps in for the generated ones in part of the cases, to reach the rules behind the 404."""

from dataclasses import dataclass
from typing import Any

from tests.certificates import issue, server_body
from tests.conftest import Api

SUBNET_CIDR = "127.10.0.0/24"
MEMBER_ADDRESS = "127.10.0.20"
SERVER_ADDRESS = "127.10.0.30"


@dataclass
class Resources:
    """Ids by the names paths and bodies give them (`pool_id`, `subnet_cidr_id`, ...) and addresses in the subnet."""

    ids: dict[str, str]
    addresses: list[str]

    def for_path(self, path: str) -> dict[str, str]:
        """The ids, with a body's bare `id` naming what the path is about (batch members, servers)."""
        return {**self.ids, "id": self.ids["server_id" if "cloudservers" in path else "member_id"]}


def build_resources(api: Api) -> Resources:
    vpc = api.vpc()
    subnet = api.subnet(vpc["id"], SUBNET_CIDR)
    server = {"name": "fuzz", "nics": [{"subnet_id": subnet["id"], "ip_address": SERVER_ADDRESS}]}
    server_id = api.ok("POST", "cloudservers", {"server": server}, status=200)["serverIds"][0]
    lb = api.load_balancer(subnet, ip_target_enable=True)
    listener = api.listener(lb["id"])
    pool = api.pool(listener_id=listener["id"])
    monitor = api.monitor(pool["id"])
    neutron_subnet_id = subnet["neutron_subnet_id"]
    member = api.member(pool["id"], address=MEMBER_ADDRESS, protocol_port=80, subnet_cidr_id=neutron_subnet_id)["member"]
    policy = api.ok("POST", "security-policies", {"security_policy": {"protocols": ["TLSv1.2"], "ciphers": ["AES128-GCM-SHA256"]}})
    certificate = api.ok("POST", "certificates", server_body(issue("fuzz.example.com")))["certificate"]
    policy_pool = api.pool(loadbalancer_id=lb["id"])
    rule = {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/fuzz"}
    body = {"l7policy": {"listener_id": listener["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": policy_pool["id"], "rules": [rule]}}
    l7policy = api.ok("POST", "l7policies", body)["l7policy"]
    logtank = api.ok("POST", "logtanks", {"logtank": {"loadbalancer_id": lb["id"], "log_group_id": "fuzz", "log_topic_id": "fuzz"}})["logtank"]
    ids = {
        "vpc_id": vpc["id"],
        "subnet_id": subnet["id"],
        "subnet_cidr_id": neutron_subnet_id,
        "vip_subnet_cidr_id": neutron_subnet_id,
        "server_id": server_id,
        "loadbalancer_id": lb["id"],
        "listener_id": listener["id"],
        "pool_id": pool["id"],
        "default_pool_id": pool["id"],
        "healthmonitor_id": monitor["id"],
        "member_id": member["id"],
        "security_policy_id": policy["security_policy"]["id"],
        "certificate_id": certificate["id"],
        "default_tls_container_ref": certificate["id"],
        "l7policy_id": l7policy["id"],
        "l7rule_id": l7policy["rules"][0]["id"],
        "redirect_pool_id": policy_pool["id"],
        "logtank_id": logtank["id"],
    }
    return Resources(ids, [MEMBER_ADDRESS, SERVER_ADDRESS, "127.10.0.40"])


def aim(value: Any, ids: dict[str, str], address: str) -> Any:
    """`value` (a JSON document) with every id it names by a known key, and every address, made real."""
    if isinstance(value, list):
        return [aim(item, ids, address) for item in value]
    if not isinstance(value, dict):
        return value
    aimed: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, str) and key in ids:
            aimed[key] = ids[key]
        elif isinstance(item, str) and key in ("address", "ip_address"):
            aimed[key] = address
        else:
            aimed[key] = aim(item, ids, address)
    return aimed
