"""The FastAPI application: routers, error handlers, request ids, and the database it serves."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import ipaddress
import socket

from fastapi import Depends, FastAPI
from fastapi.routing import iter_route_contexts

from elbd.api import (
    availability_zones,
    certificates,
    clones,
    cloudservers,
    features,
    flavors,
    health_timeline,
    healthmonitors,
    ipgroups,
    jobs,
    l7policies,
    listeners,
    loadbalancers,
    logtanks,
    master_slave_pools,
    member_checks,
    member_traffic,
    members,
    pools,
    quotas,
    recycle_bin,
    security_policies,
    statuses,
    tags,
    tokens,
    unserved_operations,
    versions,
    vpcs,
)
from elbd.api.body_limit import BodyLimitMiddleware
from elbd.api.credential_cache import CredentialCache
from elbd.api.console_page import install_console
from elbd.api.docs_page import install_docs_page
from elbd.api.errors import install_error_handlers
from elbd.api.member_checks import MemberCheckRunner
from elbd.api.nul_values import refuse_nul_values
from elbd.api.openapi_security import install_security_schemes
from elbd.api.rate_limit import install_rate_limit
from elbd.api.request_ids import RequestIdMiddleware
from elbd.api.request_metrics import RequestMetricsMiddleware
from elbd.api.security_headers import SecurityHeadersMiddleware
from elbd.canonical_ip import NotCanonical, canonical_address
from elbd.config import Settings
from elbd.dataplane.driver import default_driver_name, driver_named
from elbd.metrics.endpoint import MetricsEndpoint, collect
from elbd.metrics.registry import Registry
from elbd.service.address_ranges import ApiEndpoint, Host
from elbd.service.identity import Principal, SigningKey
from elbd.store.group_commit import GroupCommit
from elbd.store.state import open_state


def api_endpoint(host: str | None, port: int | None) -> ApiEndpoint:
    """The address and port `elbd serve` listens on, a host name resolved as uvicorn will bind it."""
    if host is None or port is None:
        return ApiEndpoint()
    try:
        return ApiEndpoint(canonical_address(host), port)
    except NotCanonical:
        *_, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        return ApiEndpoint(ipaddress.ip_address(sockaddr[0]), port)


def create_app(settings: Settings) -> FastAPI:
    state = open_state(settings.data_dir, settings.database_url, settings.sqlite_synchronous)
    db = state.db
    dataplane_name = settings.dataplane or default_driver_name()
    dataplane = driver_named(dataplane_name, db, settings.data_dir)
    db.on_change = dataplane.changed
    group_commit = GroupCommit(db)
    checks = MemberCheckRunner(db)
    api_metrics = Registry()
    metrics = (
        MetricsEndpoint(
            settings.metrics_host, settings.metrics_port, partial(collect, api_metrics, dataplane.metrics, db, settings.data_dir)
        )
        if settings.metrics_port is not None
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        dataplane.start()
        if metrics is not None:
            metrics.start()
        try:
            yield
        finally:
            if metrics is not None:
                metrics.stop()
            await checks.stop()
            group_commit.stop()
            dataplane.stop()
            db.dispose()

    app = FastAPI(
        title="elbd",
        summary="Elastic Load Balance v3 API with a real data plane",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # api/docs_page.py: FastAPI's pages load their scripts from a CDN
        redoc_url=None,
        redirect_slashes=False,  # a redirect would answer before authentication, to the client's own Host header
        # elbd exports no OpenTelemetry data; FastAPI would still look for providers on every request
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        dependencies=[Depends(refuse_nul_values)],
    )
    app.state.db = db
    app.state.group_commit = group_commit
    app.state.member_checks = checks
    app.state.secret_box = state.secret_box
    app.state.tokens = CredentialCache[Principal]()
    app.state.signing_keys = CredentialCache[SigningKey]()
    app.state.settings = settings
    app.state.host = Host(
        settings.availability_zones, api_endpoint(settings.api_host, settings.api_port), binds_vips=dataplane_name == "haproxy"
    )
    app.state.dataplane = dataplane
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    install_rate_limit(app, settings.rate_limit, settings.rate_burst)
    app.add_middleware(RequestIdMiddleware, access_log=settings.api_access_log)
    if metrics is not None:  # counted only when someone can read it: a request costs two locked increments more
        app.add_middleware(RequestMetricsMiddleware, registry=api_metrics)
    app.add_middleware(SecurityHeadersMiddleware)  # the outermost: on every answer, a middleware's own included
    # Routes are matched in order: the busiest (members) first.
    for module in (
        members, tokens, vpcs, cloudservers, availability_zones, quotas, loadbalancers, statuses, listeners, pools, healthmonitors,
        security_policies, certificates, l7policies, member_checks, ipgroups, health_timeline, member_traffic, jobs, tags, logtanks, versions,
        flavors, master_slave_pools, recycle_bin, features, clones, unserved_operations,
    ):
        app.include_router(module.router)
    install_security_schemes(app)
    install_docs_page(app)
    install_console(app)
    return app


def build_routes(app: FastAPI) -> None:
    """Build every route's request handling now rather than at the first request that reaches its router
    (FastAPI does it lazily): some 20,000 objects that live as long as the process. Made after the startup
    heap is frozen (heap.py), every full collection walked them and freed nothing: 20-47 ms pauses every
    fifteen or so PUTs of a 1,000-entry IP address group. About 0.3 s of CPU at startup, which the first
    requests no longer pay."""
    for _ in iter_route_contexts(app.routes):
        pass

