"""The OpenAPI document names the two ways to authenticate, on exactly the operations whose routes
depend on them (`authenticate`, `identify`), read from the routes themselves so none is forgotten.

Declared after the fact rather than through FastAPI's `Security` dependencies: those would be resolved
on every request, and they would read headers that `identify` reads anyway."""

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from elbd.api.deps import authenticate, identify

SCHEMES = {
    "token": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Auth-Token",
        "description": "A token from POST /v3/auth/tokens (X-Subject-Token of its answer).",
    },
    "aksk": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=..., with X-Sdk-Date: the request "
        "signed with an access key and its secret key, as the official SDK signs it.",
    },
}
EITHER_SCHEME: list[dict[str, list[str]]] = [{"token": []}, {"aksk": []}]


def _needs_credentials(dependant: Dependant) -> bool:
    return any(one.call in (authenticate, identify) or _needs_credentials(one) for one in dependant.dependencies)


def install_security_schemes(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        document.setdefault("components", {})["securitySchemes"] = SCHEMES
        for context in iter_route_contexts(app.routes):  # included routers stay nested in app.routes
            route = context.original_route
            if isinstance(route, APIRoute) and context.path_format and _needs_credentials(route.dependant):
                for method in context.methods or ():
                    document["paths"][context.path_format][method.lower()]["security"] = EITHER_SCHEME
        return document

    app.openapi = openapi  # type: ignore[method-assign]
