"""Quotas and availability zones."""

from elbd.api.shapes.base import Shape


class Quota(Shape):
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


class QuotaReply(Shape):
    quota: Quota
    request_id: str


class QuotaDetail(Shape):
    quota_key: str
    quota_limit: int
    used: int
    unit: str


class QuotaDetails(Shape):
    quotas: list[QuotaDetail]
    request_id: str


class AvailabilityZone(Shape):
    code: str
    state: str
    protocol: list[str]
    public_border_group: str
    category: int


class AvailabilityZones(Shape):
    availability_zones: list[list[AvailabilityZone]]
    request_id: str
