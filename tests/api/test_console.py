"""The web console's files as the API serves them: the same security headers as every API answer, a
Content-Security-Policy that lets no inline or foreign script run, and a script that never hands an API
value to the HTML parser. What the console does in a browser: tests/e2e/test_console.py."""

import base64
import hashlib
import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from elbd.api.console_page import CONSOLE_POLICY
from elbd.api.security_headers import API_POLICY
from tests.conftest import Api, Topology

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def _directives(policy: str) -> dict[str, str]:
    return {name: value for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}


class _Markup(HTMLParser):
    """Every script's src and body, and every attribute that would run or style inline."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[str | None, str]] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inline += [f"{tag} {name}" for name, _ in attrs if name.startswith("on") or name == "style"]
        if tag == "style":
            self.inline.append("style element")
        if tag == "script":
            self.scripts.append((dict(attrs).get("src"), ""))
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script:
            src, body = self.scripts[-1]
            self.scripts[-1] = (src, body + data)


def test_the_console_page_has_the_security_headers_and_a_strict_policy(client: TestClient) -> None:
    response = client.get("/console")
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["content-security-policy"] == CONSOLE_POLICY
    policy = _directives(CONSOLE_POLICY)
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'none'" and policy["connect-src"] == "'self'"
    assert "unsafe" not in CONSOLE_POLICY and "*" not in CONSOLE_POLICY and "http" not in CONSOLE_POLICY
    markup = _Markup()
    markup.feed(response.text)
    assert markup.scripts == [("/console/console.js", "")]  # no inline script: the policy would refuse it anyway
    assert markup.inline == []
    assert "http://" not in response.text and "https://" not in response.text  # nothing from another origin


def test_the_script_and_style_are_served_with_the_same_headers(client: TestClient) -> None:
    for name, media_type in (("console.js", "text/javascript; charset=utf-8"), ("console.css", "text/css; charset=utf-8")):
        response = client.get(f"/console/{name}")
        assert response.status_code == 200 and response.headers["content-type"] == media_type
        assert response.headers["content-security-policy"] == CONSOLE_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "http://" not in response.text and "https://" not in response.text


def test_no_other_file_is_served_from_the_console(client: TestClient) -> None:
    for path in ("/console/index.html", "/console/__init__.py", "/console/..%2fapp.py", "/console/", "/console/console.js/x"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error_code"] == "APIGW.0101"
        assert response.headers["x-frame-options"] == "DENY"


def test_the_script_never_parses_an_api_value_as_html() -> None:
    """textContent and text nodes only: an API value (a name, a reason) can never become markup."""
    from importlib.resources import files

    script = files("elbd.console").joinpath("console.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute(\"on"):
        assert sink not in script, sink
    assert "sessionStorage" in script and "localStorage" not in script  # the token lives in this tab only
    assert not re.search(r"setTimeout\(\s*['\"]", script)  # no string evaluated as code


def test_api_answers_carry_the_same_headers_and_a_policy_that_loads_nothing(api: Api, client: TestClient) -> None:
    for response in (api.call("GET", "loadbalancers"), client.get(f"/v3/{api.project_id}/elb/loadbalancers"), client.get("/versions")):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
        assert response.headers["content-security-policy"] == API_POLICY
    assert _directives(API_POLICY)["default-src"] == "'none'"


def test_the_docs_page_allows_its_own_style_only(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    style = re.search(r"<style>(.*?)</style>", response.text, re.S)
    assert style is not None and "<script" not in response.text
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    policy = _directives(response.headers["content-security-policy"])
    assert policy["default-src"] == "'none'" and policy["style-src"] == f"'sha256-{digest}'"
    assert response.headers["x-frame-options"] == "DENY"


def test_member_traffic_is_empty_without_a_data_plane_and_absent_for_another_project(api: Api, other_api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    api.member(pool_id, address="127.10.0.9", protocol_port=80, subnet_cidr_id=topology.subnet["neutron_subnet_id"])
    answer = api.ok("GET", f"pools/{pool_id}/elbd-member-traffic")
    assert answer["pool_id"] == pool_id and answer["member_traffic"] == [] and answer["request_id"]
    assert other_api.call("GET", f"/v3/{other_api.project_id}/elb/pools/{pool_id}/elbd-member-traffic").status_code == 404
    assert api.call("GET", "pools/not-a-pool/elbd-member-traffic").status_code == 404
    assert api.client.get(f"/v3/{api.project_id}/elb/pools/{pool_id}/elbd-member-traffic").status_code == 401
