"""`/docs`: the API's operations as one plain HTML page rendered from the OpenAPI document, so it works
offline. FastAPI's Swagger UI and ReDoc pages load their scripts from a CDN, and no package elbd installs
ships those assets: a page that needs the network to show the API of a local service is a broken page
on an isolated host. Every value is escaped; the page runs no script."""

import base64
import hashlib
from html import escape
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

METHODS = ("get", "post", "put", "delete", "patch")
STYLE = (
    "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
)
# The page's one inline style, allowed by its hash; nothing else may load or run.
POLICY = (
    f"default-src 'none'; style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()}'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def docs_html(document: dict[str, Any]) -> str:
    info = document.get("info", {})
    rows = []
    for path, operations in document.get("paths", {}).items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            parameters = ", ".join(
                f"{escape(parameter['name'])} ({escape(parameter['in'])})" for parameter in operation.get("parameters", [])
            )
            body = "yes" if "requestBody" in operation else ""
            secured = "credentials" if operation.get("security") else "none"
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{escape(path)}</code></td>"
                f"<td>{escape(operation.get('summary', ''))}</td><td>{parameters}</td><td>{body}</td><td>{secured}</td></tr>"
            )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>"
        f"{escape(info.get('title', 'elbd'))} API</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{escape(info.get('title', 'elbd'))} {escape(info.get('version', ''))}</h1>"
        f"<p>{escape(info.get('summary', ''))}. The whole description, with every body's schema: "
        "<a href=\"/openapi.json\">/openapi.json</a> (load it into any OpenAPI viewer). "
        "Credentials: <code>X-Auth-Token</code> from <code>POST /v3/auth/tokens</code>, or AK/SK signed "
        "<code>SDK-HMAC-SHA256</code> as the official SDK signs.</p>"
        "<table><thead><tr><th>method</th><th>path</th><th>summary</th><th>parameters</th><th>body</th>"
        f"<th>credentials</th></tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>"
    )


def install_docs_page(app: FastAPI) -> None:
    page: list[str] = []  # rendered once, on the first request (the document is built lazily too)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if not page:
            page.append(docs_html(app.openapi()))
        return HTMLResponse(page[0], headers={"Content-Security-Policy": POLICY})
