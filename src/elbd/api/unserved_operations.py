"""The routes of the operations elbd refuses whole (schemas/unserved_operations.py): authenticated,
the load balancer, listener or pool the path names found in the caller's project, then refused."""

import inspect
import re
from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from elbd.api.deps import authenticate, database
from elbd.schemas.unserved_operations import OPERATIONS, UnservedOperation
from elbd.service import lookups
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["not served"])

# Path parameters that name a resource elbd holds: looked up, so another project's is 404.
LOOKUPS: dict[str, Callable[[Session, str, str], object]] = {
    "loadbalancer_id": lookups.load_balancer,
    "listener_id": lookups.listener,
    "pool_id": lookups.pool,
}


def _route(operation: UnservedOperation) -> Callable[..., Response]:
    def refuse(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database), **_path: str) -> Response:
        named = {name: value for name, value in request.path_params.items() if name in LOOKUPS}
        if named:
            with db.read() as session:
                for name, value in named.items():
                    LOOKUPS[name](session, who.project_id, value)
        raise operation.refusal()

    # The path's parameters, declared so that the API document names them; the route reads them from the request.
    path_parameters = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str)
        for name in re.findall(r"\{(\w+)\}", operation.path)
        if name != "project_id"
    ]
    declared = inspect.signature(refuse)
    refuse.__signature__ = declared.replace(  # type: ignore[attr-defined]
        parameters=[*(one for one in declared.parameters.values() if one.kind != inspect.Parameter.VAR_KEYWORD), *path_parameters]
    )
    refuse.__name__ = f"refuse_{operation.method.lower()}_{operation.path.rsplit('/elb/', 1)[-1]}".replace("/", "_").replace("{", "").replace("}", "").replace("-", "_")
    return refuse


for _operation in OPERATIONS:
    router.add_api_route(
        _operation.path,
        _route(_operation),
        methods=[_operation.method],
        summary=f"{_operation.what}: refused",
        description=_operation.refusal().message,
    )
