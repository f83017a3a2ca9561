"""What the forwarding policy and rule tests share: a load balancer of their own, listeners on fresh
ports, pools, policy bodies, and the checks that a refusal stored nothing and that an answer carries
every attribute of the SDK's model."""

import itertools
from dataclasses import dataclass
from typing import Any

from huaweicloudsdkelb.v3 import L7Policy, L7Rule

from elbd.store.models import L7Policy as PolicyRow
from elbd.store.models import L7Rule as RuleRow
from tests.api.world import assert_elb_error, net
from tests.certificates import issue, server_body
from tests.conftest import Api

_ports = itertools.count(10000)
_subnets = itertools.count(40)


@dataclass
class Site:
    """One load balancer of the test module's own."""

    api: Api
    lb: dict[str, Any]

    def listener(self, protocol: str = "HTTP", **extra: Any) -> dict[str, Any]:
        if protocol == "HTTPS" and "default_tls_container_ref" not in extra:
            certificate = self.api.ok("POST", "certificates", server_body(issue("l7.example.com")))["certificate"]
            extra["default_tls_container_ref"] = certificate["id"]
        return self.api.listener(self.lb["id"], protocol, next(_ports), **extra)

    def enhanced(self, protocol: str = "HTTP") -> dict[str, Any]:
        return self.listener(protocol, enhance_l7policy_enable=True)

    def pool(self, protocol: str = "HTTP") -> dict[str, Any]:
        return self.api.pool(protocol, loadbalancer_id=self.lb["id"])


def new_site(api: Api) -> Site:
    return Site(api, api.load_balancer(net(api, f"127.{next(_subnets)}.0.0/24").subnet))


def to_pool(listener: dict[str, Any], pool: dict[str, Any], *rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"l7policy": {"listener_id": listener["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": pool["id"], "rules": list(rules), **extra}}


def rule(rule_type: str = "PATH", value: str | None = "/api", compare_type: str = "STARTS_WITH", **extra: Any) -> dict[str, Any]:
    made = {"type": rule_type, "compare_type": compare_type, **extra}
    if value is not None:
        made["value"] = value
    return made


def conditions(rule_type: str, key: str, *values: str) -> dict[str, Any]:
    return {"type": rule_type, "compare_type": "EQUAL_TO", "conditions": [{"key": key, "value": value} for value in values]}


def create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    return api.ok("POST", "l7policies", body)["l7policy"]


def rows(api: Api) -> tuple[int, int]:
    """How many policies and rules the whole store holds."""
    with api.client.app.state.db.read() as session:
        return session.query(PolicyRow).count(), session.query(RuleRow).count()


def assert_refused(api: Api, method: str, path: str, body: Any, *words: str, status: int = 400) -> str:
    """400 ELB.8902 (or `status`) saying `words`; no policy or rule stored, changed or deleted."""
    with api.client.app.state.db.read() as session:
        before = sorted(map(repr, session.execute(PolicyRow.__table__.select()))), sorted(map(repr, session.execute(RuleRow.__table__.select())))
    code = {400: "ELB.8902", 404: "ELB.8904", 409: "ELB.8907"}[status]
    message = assert_elb_error(api.call(method, path, body), status, code)["error_msg"]
    for word in words:
        assert word in message, message
    with api.client.app.state.db.read() as session:
        after = sorted(map(repr, session.execute(PolicyRow.__table__.select()))), sorted(map(repr, session.execute(RuleRow.__table__.select())))
    assert after == before
    return message


def assert_sdk_shaped(policy: dict[str, Any]) -> None:
    """Every attribute of the SDK's L7Policy (and, for whole rules, L7Rule) is there."""
    assert set(L7Policy.openapi_types) <= set(policy), set(L7Policy.openapi_types) - set(policy)
    for shown in policy["rules"]:
        assert set(shown) == {"id"} or set(L7Rule.openapi_types) <= set(shown)
