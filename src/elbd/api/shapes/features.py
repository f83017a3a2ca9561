"""Answers of a load balancer's features and of the feature configurations."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import PageInfo, shape


@shape
class LoadBalancerFeature(TypedDict):
    feature: str
    type: str
    value: str


@shape
class LoadBalancerFeatures(TypedDict):
    features: list[LoadBalancerFeature]
    request_id: str


@shape
class FeatureConfig(TypedDict):
    id: str
    created_at: str
    updated_at: str
    service: str
    tenant_id: str
    feature: str
    switch: bool
    type: str
    value: str
    description: str
    caller: str


@shape
class FeatureConfigs(TypedDict):
    configs: list[FeatureConfig]
    page_info: PageInfo
    request_id: str
