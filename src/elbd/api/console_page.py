"""`/console`: the operator's web console, three files shipped in the package (src/elbd/console/), served
as they are: no build step, nothing from another origin. The page signs in through the identity API and
calls the ELB API itself with the token, so the console has no authority of its own: it sees and does
exactly what the token's project may. Its policy lets only this origin's script and style run (no inline
script, no eval) and the page be framed by nobody."""

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import Response
from starlette.exceptions import HTTPException

CONSOLE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
ASSETS = {  # what /console/{name} serves: exactly these files, nothing named by the request reaches the disk
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
HEADERS = {"Content-Security-Policy": CONSOLE_POLICY, "Cache-Control": "no-cache"}


def _read(name: str) -> bytes:
    return files("elbd.console").joinpath(name).read_bytes()


def install_console(app: FastAPI) -> None:
    page = _read("index.html")
    assets = {name: (_read(name), media_type) for name, media_type in ASSETS.items()}

    @app.get("/console", include_in_schema=False)
    def console() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=HEADERS)

    @app.get("/console/{name}", include_in_schema=False)
    def console_asset(name: str) -> Response:
        if name not in assets:
            raise HTTPException(404)  # answered as any unknown path is
        content, media_type = assets[name]
        return Response(content, media_type=media_type, headers=HEADERS)
