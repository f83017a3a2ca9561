from elbd.api.shapes.quotas import Quota, QuotaDetail
from elbd.service.quotas import FIXED, Usage


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
        "ipgroup_max_length": limits["ipgroup_max_length"],
        "ipgroup_bindings": limits["ipgroup_bindings"],
        "condition_per_policy": FIXED["condition_per_policy"],
        "pools_per_l7policy": FIXED["pools_per_l7policy"],
        "listeners_per_pool": FIXED["listeners_per_pool"],
        "ipgroups_per_listener": FIXED["ipgroups_per_listener"],
        "l7policies_per_listener": FIXED["l7policies_per_listener"],
        # every elbd load balancer is what the public cloud calls a free instance: the same limits hold
        "free_instance_members_per_pool": limits["members_per_pool"],
        "free_instance_listeners_per_loadbalancer": limits["listeners_per_loadbalancer"],
    }


def quota_detail_view(usage: Usage) -> QuotaDetail:
    return {"quota_key": usage.resource, "quota_limit": usage.limit, "used": usage.used, "unit": "count"}
