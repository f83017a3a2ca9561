from elbd.api.shapes.quotas import Quota, QuotaDetail
from elbd.service.quotas import Usage


def quota_view(project_id: str, limits: dict[str, int]) -> Quota:
    return {
        "project_id": project_id,
        "loadbalancer": limits["loadbalancer"],
        "listener": limits["listener"],
        "pool": limits["pool"],
        "healthmonitor": limits["healthmonitor"],
        "member": limits["member"],
        "members_per_pool": limits["members_per_pool"],
        "listeners_per_loadbalancer": limits["listeners_per_loadbalancer"],
        "l7policy": limits["l7policy"],
        "certificate": limits["certificate"],
        "ipgroup": limits["ipgroup"],
        "security_policy": limits["security_policy"],
    }


def quota_detail_view(usage: Usage) -> QuotaDetail:
    return {"quota_key": usage.resource, "quota_limit": usage.limit, "used": usage.used, "unit": "count"}
