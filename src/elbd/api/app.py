"""The FastAPI application: routers, error handlers, request ids, and the database it serves."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from elbd.api import (
    availability_zones,
    cloudservers,
    healthmonitors,
    listeners,
    loadbalancers,
    members,
    pools,
    quotas,
    statuses,
    tokens,
    vpcs,
)
from elbd.api.errors import install_error_handlers
from elbd.api.request_ids import RequestIdMiddleware
from elbd.config import Settings
from elbd.dataplane.driver import driver_named
from elbd.store.db import Database
from elbd.store.migrate import upgrade


def create_app(settings: Settings) -> FastAPI:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    dataplane = driver_named(settings.dataplane, db, settings.data_dir)
    db.on_change = dataplane.changed

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        dataplane.start()
        try:
            yield
        finally:
            dataplane.stop()
            db.dispose()

    app = FastAPI(
        title="elbd",
        summary="Elastic Load Balance v3 API with a real data plane",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.dataplane = dataplane
    install_error_handlers(app)
    app.add_middleware(RequestIdMiddleware)
    for module in (tokens, vpcs, cloudservers, availability_zones, quotas, loadbalancers, statuses, listeners, pools, healthmonitors, members):
        app.include_router(module.router)
    return app
