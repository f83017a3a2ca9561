"""Quotas and availability zones."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import shape


@shape
class Quota(TypedDict):
    """The project's limits by resource (-1: unlimited)."""

    project_id: str
    loadbalancer: int
    listener: int
    pool: int
    healthmonitor: int
    member: int
    members_per_pool: int
    listeners_per_loadbalancer: int
    l7policy: int
    certificate: int
    ipgroup: int
    security_policy: int
    ipgroup_max_length: int
    ipgroup_bindings: int
    condition_per_policy: int
    pools_per_l7policy: int
    listeners_per_pool: int
    ipgroups_per_listener: int
    l7policies_per_listener: int
    free_instance_members_per_pool: int
    free_instance_listeners_per_loadbalancer: int


@shape
class QuotaReply(TypedDict):
    quota: Quota
    request_id: str


@shape
class QuotaDetail(TypedDict):
    quota_key: str
    quota_limit: int
    used: int
    unit: str


@shape
class QuotaDetails(TypedDict):
    quotas: list[QuotaDetail]
    request_id: str


@shape
class AvailabilityZone(TypedDict):
    code: str
    state: str
    protocol: list[str]
    public_border_group: str
    category: int


@shape
class AvailabilityZones(TypedDict):
    availability_zones: list[list[AvailabilityZone]]
    request_id: str
