"""A load balancer's features and the project's feature configurations (elbd/features.py)."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.features import FeatureConfig, FeatureConfigs, LoadBalancerFeatures
from elbd.api.views.pages import page_info
from elbd.clock import format_time
from elbd.errors import invalid
from elbd.features import config_id, load_balancer_features, project_feature_configs
from elbd.service import lookups, quotas, recycle_bin
from elbd.service.identity import Principal
from elbd.service.paging import Page
from elbd.store.db import Database
from elbd.store.models import Project, RecycleBinSettings

router = APIRouter(tags=["features"])


@router.get("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/features", response_model=LoadBalancerFeatures)
def list_loadbalancer_feature(request: Request, loadbalancer_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    if request.query_params:
        raise invalid(f"Unsupported query parameter(s): {', '.join(sorted(request.query_params))}.")
    with db.read() as session:
        lb = lookups.load_balancer(session, who.project_id, loadbalancer_id)
        found = load_balancer_features(
            ip_target_enable=lb.ip_target_enable, deletion_protection_enable=lb.deletion_protection_enable, limits=quotas.limits(session, who.project_id)
        )
    answer: LoadBalancerFeatures = {
        "features": [{"feature": one.feature, "type": one.type, "value": one.value} for one in found],
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get("/v3/{project_id}/elb/feature/configs", response_model=FeatureConfigs)
def list_feature_configs(
    request: Request, feature: str | None = Query(None, max_length=64), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    unknown = sorted(set(request.query_params) - {"feature"})
    if unknown:
        raise invalid(f"Unsupported query parameter(s): {', '.join(unknown)}.")
    with db.read() as session:
        enabled, policy = recycle_bin.settings(session, who.project_id)
        settings_row = session.get(RecycleBinSettings, who.project_id)
        project = session.get(Project, who.project_id)
    assert project is not None
    created = settings_row.created_at if settings_row else project.created_at
    updated = settings_row.updated_at if settings_row else project.created_at
    configs: list[FeatureConfig] = [
        {
            "id": config_id(who.project_id, one.feature),
            "created_at": format_time(created),
            "updated_at": format_time(updated),
            "service": "ELB",
            "tenant_id": who.project_id,
            "feature": one.feature,
            "switch": True,
            "type": one.type,
            "value": one.value,
            "description": one.description,
            "caller": "elbd",
        }
        for one in project_feature_configs(bin_enabled=enabled, policy=policy)
        if feature is None or one.feature == feature
    ]
    # one page, all of them: nothing follows it
    answer: FeatureConfigs = {"configs": configs, "page_info": page_info(Page(configs, configs[0]["id"] if configs else None)), "request_id": request_id_of(request)}
    return reply(answer)
