"""What elbd tells of its features: a load balancer's (GET .../loadbalancers/{id}/features) and a
project's feature configurations (GET .../feature/configs). Every value is what elbd does, read from
the load balancer, the project's quotas and its recycle bin; no value is a public cloud's placeholder."""

import uuid
from dataclasses import dataclass
from typing import Literal

from elbd.recycle_policy import Policy

ValueType = Literal["BOOL", "INT", "VARCHAR", "LIST"]


@dataclass(frozen=True)
class Feature:
    feature: str
    type: ValueType
    value: str
    description: str


def _bool(value: bool) -> str:
    return "true" if value else "false"


def load_balancer_features(*, ip_target_enable: bool, deletion_protection_enable: bool, limits: dict[str, int]) -> list[Feature]:
    """A load balancer's features, in a fixed order. A limit of -1 is none."""
    return [
        Feature("tcpssl", "BOOL", "true", "TLS listeners: HAProxy ends TLS and forwards TCP."),
        Feature("update_elastic_flavor", "BOOL", "false", "Elastic (auto-scaling) flavors: elbd runs each load balancer as one HAProxy process."),
        Feature("ip_target_enable", "BOOL", _bool(ip_target_enable), "Backend servers by IP address, outside the VPC's instances."),
        Feature("deletion_protection_enable", "BOOL", _bool(deletion_protection_enable), "Deletion protection of this load balancer."),
        Feature("listeners_per_loadbalancer", "INT", str(limits["listeners_per_loadbalancer"]), "Listeners this load balancer may have."),
        Feature("members_per_pool", "INT", str(limits["members_per_pool"]), "Backend servers each of its backend server groups may have."),
    ]


def project_feature_configs(*, bin_enabled: bool, policy: Policy) -> list[Feature]:
    """The project's configurable features: those an API call of the project changes."""
    return [
        Feature("recycle_bin", "BOOL", _bool(bin_enabled), "Deleted load balancers wait in the recycle bin (PUT /recycle-bin)."),
        Feature("recycle_bin_retention_hour", "INT", str(policy.retention_hour), "Hours a load balancer stays in the recycle bin (PUT /recycle-bin/policy)."),
        Feature(
            "recycle_bin_threshold_hour", "INT", str(policy.recycle_threshold_hour), "A load balancer younger than this many hours is deleted for good."
        ),
    ]


def config_id(project_id: str, feature: str) -> str:
    """A feature configuration's id: the same for the same project and feature, every time."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"elbd:feature-config:{project_id}:{feature}"))
