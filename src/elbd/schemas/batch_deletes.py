from pydantic import Field

from elbd.schemas.base import ResourceId, Strict

MAX_LISTENERS = 10  # the reference's limit
MAX_LOAD_BALANCERS = 10
MAX_POOLS = 100


class ListenerBatchDelete(Strict):
    listener_ids: list[ResourceId] = Field(min_length=1, max_length=MAX_LISTENERS)


class LoadBalancerBatchDelete(Strict):
    loadbalancer_ids: list[ResourceId] = Field(min_length=1, max_length=MAX_LOAD_BALANCERS)
    unbounded_pool: bool = Field(
        True, description="true: each load balancer's backend server groups go too (as its cascade delete); false: they stay, on no load balancer."
    )
    public_ip: bool = Field(False, description="elbd has no EIPs: there is nothing to delete or unbind either way.")


class PoolBatchDelete(Strict):
    pools: list[ResourceId] = Field(min_length=1, max_length=MAX_POOLS)
