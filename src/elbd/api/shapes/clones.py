"""Answers of the clones."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, shape


@shape
class LoadBalancersCloned(TypedDict):
    loadbalancer_list: list[IdRef]
    job_id: str
    request_id: str


@shape
class PortRange(TypedDict):
    start_port: int
    end_port: int


@shape
class ClonedListener(TypedDict):
    id: str
    loadbalancer_id: str
    protocol_port: int
    port_ranges: list[PortRange]


@shape
class ListenersCloned(TypedDict):
    listener_list: list[ClonedListener]
    job_id: str
    request_id: str
