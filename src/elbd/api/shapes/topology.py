"""A load balancer's topology."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import shape
from elbd.api.shapes.l7policies import L7Rule


@shape
class LoadBalancerNode(TypedDict):
    id: str
    name: str
    guaranteed: bool
    l4_flavor_id: str | None
    l7_flavor_id: str | None
    vip_address: str | None
    ipv6_vip_address: str | None
    availability_zone_list: list[str]


@shape
class ListenerNode(TypedDict):
    id: str
    name: str
    protocol: str
    protocol_port: int


@shape
class PoolNode(TypedDict):
    id: str
    name: str
    protocol: str
    type: str
    lb_algorithm: str


@shape
class EipNode(TypedDict):
    id: str
    ip_address: str
    ip_version: int


@shape
class TopologyNodes(TypedDict):
    loadbalancers: list[LoadBalancerNode]
    eips: list[EipNode]
    listeners: list[ListenerNode]
    pools: list[PoolNode]


@shape
class TopologyEdge(TypedDict):
    source: str
    target: str
    source_type: str
    target_type: str
    label: str | None
    label_id: str | None


@shape
class PolicyLabel(TypedDict):
    id: str
    name: str
    priority: int
    action: str
    admin_state_up: bool
    rules: list[L7Rule]


@shape
class TopologyLabels(TypedDict):
    l7policies: list[PolicyLabel]


@shape
class LoadBalancerTopology(TypedDict):
    nodes: TopologyNodes
    edges: list[TopologyEdge]
    labels: TopologyLabels


@shape
class TopologyReply(TypedDict):
    topology: LoadBalancerTopology
    request_id: str
