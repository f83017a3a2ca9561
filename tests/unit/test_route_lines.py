"""A frontend's L7 routes rendered as HAProxy lines: the choice of a route before any action, and no
value of a rule, a redirect or a fixed response that changes the shape of a line.

The hostile corpus and HAProxy's word splitting are the ones of test_hostile_values: a value is either
refused (UnsafeValue) or comes back whole as one word, every line keeping its keyword and its number of
words. HAProxy then checks the rendered configuration itself."""

import shutil
import subprocess
from collections.abc import Callable
from ipaddress import ip_address
from pathlib import Path

import pytest

from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.model import Backend, FixedResponse, Frontend, LoadBalancerConfig, Match, Redirect, Route, ToBackends
from elbd.dataplane.render import render
from elbd.dataplane.route_lines import glob_regex, route_lines
from tests.unit.test_hostile_values import HOSTILE, haproxy_words, parsed, shape

RUN_DIR = Path("/tmp/elbd-run/lb")
TO_P1 = ToBackends((("p-1", 1),))


def frontend(*routes: Route) -> Frontend:
    return Frontend("l-1", (ip_address("127.20.0.2"),), 80, "http", backend="p-1", routes=routes)


def config(*routes: Route) -> LoadBalancerConfig:
    backends = tuple(Backend(name, "http", "roundrobin") for name in ("p-1", "p-2", "p-3"))
    return LoadBalancerConfig("lb-1", 4000, (frontend(*routes),), backends)


def words_of(*routes: Route) -> list[list[str]]:
    return [words for line in sum(route_lines(frontend(*routes)), []) if (words := haproxy_words(line))]


FIELDS: dict[str, tuple[Callable[[str], Route], Callable[[str], str]]] = {
    # field: (a route carrying the value, the word it must come back as)
    "host": (lambda value: Route("pol-1", (Match("host", "exact", (value,)),), TO_P1), lambda value: value),
    "path exact": (lambda value: Route("pol-1", (Match("path", "exact", (value,)),), TO_P1), lambda value: value),
    "path prefix": (lambda value: Route("pol-1", (Match("path", "prefix", (value,)),), TO_P1), lambda value: value),
    "header glob": (lambda value: Route("pol-1", (Match("header", "glob", (value,), key="X-Env"),), TO_P1), glob_regex),
    "query glob": (lambda value: Route("pol-1", (Match("query", "glob", (value,), key="env"),), TO_P1), glob_regex),
    "cookie": (lambda value: Route("pol-1", (Match("cookie", "exact", (value,), key="session"),), TO_P1), lambda value: value),
    "body": (lambda value: Route("pol-1", (), FixedResponse(503, "text/plain", value)), lambda value: value),
    "content type": (lambda value: Route("pol-1", (), FixedResponse(503, value, "down")), lambda value: value),
    "answer header": (lambda value: Route("pol-1", (), FixedResponse(503, "text/plain", "x", (("X-Note", "USER_DEFINED", value),))),
                      lambda value: value.replace("%", "%%")),
    "redirect host": (lambda value: Route("pol-1", (), Redirect(301, "https", value, 443, "/", "")),
                      lambda value: f"https://{value.replace('%', '%%')}:443/"),
    "redirect path": (lambda value: Route("pol-1", (), Redirect(301, "https", "a.example.com", 443, value, "")),
                      lambda value: f"https://a.example.com:443{value.replace('%', '%%')}"),
    "redirect query": (lambda value: Route("pol-1", (), Redirect(301, "https", "a.example.com", 443, "/", value)),
                       lambda value: f"https://a.example.com:443/?{value.replace('%', '%%')}"),
}


@pytest.mark.parametrize("field", list(FIELDS))
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_value_is_refused_or_rendered_as_one_word(field: str, value: str) -> None:
    route_with, word = FIELDS[field]
    baseline = render(config(route_with("safe")), RUN_DIR, RUN_DIR)
    try:
        hostile = render(config(route_with(value)), RUN_DIR, RUN_DIR)
    except UnsafeValue:
        return
    assert shape(hostile) == shape(baseline)
    assert any(word(value) in words for words in parsed(hostile)), f"{value!r} did not come back as one word"


@pytest.mark.parametrize("subject", ["header", "query", "cookie"])
@pytest.mark.parametrize("key", ["a)", "a,b", "a b", "a'", "", "x" * 129, "a\n", "%[src]", "é"])
def test_a_name_inside_a_sample_fetch_must_be_a_plain_token(subject: str, key: str) -> None:
    with pytest.raises(UnsafeValue):
        route_lines(frontend(Route("pol-1", (Match(subject, "exact", ("v",), key=key),), TO_P1)))


@pytest.mark.parametrize("match", [
    Match("method", "exact", ("GET\nuse_backend p-2",)),
    Match("method", "exact", ("get",)),
    Match("source", "network", ("10.0.0.0/8 0.0.0.0/0",)),
    Match("path", "exact", ()),
    Match("path", "glob", ("/a",)),
])
def test_a_value_outside_its_grammar_is_refused(match: Match) -> None:
    with pytest.raises((UnsafeValue, ValueError)):
        route_lines(frontend(Route("pol-1", (match,), TO_P1)))


def test_routes_are_chosen_in_order_before_any_action_runs() -> None:
    """HAProxy runs redirects and returns before use_backend: the choice comes first, so a redirect
    after a pool route in the API's order cannot win over it."""
    lines = words_of(
        Route("pol-a", (Match("path", "prefix", ("/api",)),), TO_P1),
        Route("pol-b", (Match("path", "prefix", ("/",)),), Redirect(301, "https", None, 443, None, None)),
        Route("pol-c", (Match("host", "exact", ("a.example.com", "*.b.example.com")),), FixedResponse(503, "text/plain", "down")),
    )
    keywords = [line[0] for line in lines]
    choices = [line for line in lines if line[:2] == ["http-request", "set-var(txn.elbd_route)"]]
    assert [line[2] for line in choices] == ["str(p-1)", "str(route-2)", "str(route-3)"]  # a route to one backend names it
    assert all(line[-4:] == ["!{", "var(txn.elbd_route)", "-m", "found"] or line[-1] == "}" for line in choices)
    first_action = min(index for index, line in enumerate(lines) if line[:2] in (["http-request", "redirect"], ["http-request", "return"]) or line[0] == "use_backend")
    last_choice = max(index for index, line in enumerate(lines) if line[:2] == ["http-request", "set-var(txn.elbd_route)"])
    assert last_choice < first_action
    assert keywords.index("use_backend") > max(index for index, line in enumerate(lines) if line[0] == "http-request")
    assert lines[-1] == ["use_backend", "%[var(txn.elbd_route)]", "if", "{", "var(txn.elbd_route)", "-m", "found", "}",
                         "!{", "var(txn.elbd_route)", "-m", "beg", "route-", "}"]
    host_acls = [line for line in lines if line[:2] == ["acl", "elbd_r3_1"]]
    assert [line[-3:] for line in host_acls] == [["str", "--", "a.example.com"], ["end", "--", ".b.example.com"]]  # OR-ed under one name


def test_a_route_without_rules_always_holds() -> None:
    assert words_of(Route("pol-1", (), TO_P1)) == [["use_backend", "p-1"]]
    (choice,) = [line for line in words_of(Route("pol-1", (), FixedResponse(503, "text/plain", ""))) if "set-var(txn.elbd_route)" in line]
    assert choice == ["http-request", "set-var(txn.elbd_route)", "str(route-1)", "if", "!{", "var(txn.elbd_route)", "-m", "found", "}"]


def test_routes_to_one_backend_after_the_last_other_route_are_plain_use_backend_rules_in_order() -> None:
    to = [Route(f"pol-{index}", (Match("path", "prefix", (f"/{index}",)),), ToBackends(((f"p-{index}", 1),))) for index in (1, 2)]
    alone = words_of(*to)
    assert alone == [["acl", "elbd_r1_1", "path", "-m", "beg", "--", "/1"], ["acl", "elbd_r2_1", "path", "-m", "beg", "--", "/2"],
                     ["use_backend", "p-1", "if", "elbd_r1_1"], ["use_backend", "p-2", "if", "elbd_r2_1"]]  # what one writes by hand
    redirect = Route("pol-r", (Match("path", "prefix", ("/r",)),), Redirect(301, "https", None, 443, None, None))
    mixed = words_of(to[0], redirect, to[1])
    assert [line[:3] for line in mixed if "set-var(txn.elbd_route)" in line] == [["http-request", "set-var(txn.elbd_route)", "str(p-1)"],
                                                                               ["http-request", "set-var(txn.elbd_route)", "str(route-2)"]]
    uses = [line for line in mixed if line[0] == "use_backend"]
    assert uses[0][1] == "%[var(txn.elbd_route)]"  # the chosen route to p-1
    assert uses[1] == ["use_backend", "p-2", "if", "elbd_r3_1", "!{", "var(txn.elbd_route)", "-m", "found", "}"]  # only when none was chosen


def test_weights_split_one_draw_into_bands_and_a_zero_weight_takes_nothing() -> None:
    lines = words_of(Route("pol-1", (), ToBackends((("p-1", 30), ("p-2", 0), ("p-3", 70)))))
    assert ["http-request", "set-var(txn.elbd_draw)", "rand(100)", "if", "{", "var(txn.elbd_route)", "-m", "str", "route-1", "}"] in lines
    bands = [(line[1], line[-2]) for line in lines if line[0] == "use_backend"]
    assert bands == [("p-1", "30"), ("p-3", "100")]


def test_a_sticky_route_follows_its_cookie_before_drawing_and_sets_it_on_every_answer() -> None:
    lines = words_of(Route("pol-1", (), ToBackends((("p-1", 1), ("p-2", 0), ("p-3", 1)), sticky_s=600)))
    assert ["http-response", "add-header", "Set-Cookie", "elbd-pol-1=%[be_name]; Max-Age=600; Path=/; HttpOnly",
            "if", "{", "var(txn.elbd_route)", "-m", "str", "route-1", "}"] in lines
    uses = [line for line in lines if line[0] == "use_backend"]
    assert [line[-5:-1] for line in uses[:2]] == [["req.cook(elbd-pol-1)", "-m", "str", "p-1"], ["req.cook(elbd-pol-1)", "-m", "str", "p-3"]]
    assert [line[-2] for line in uses[2:]] == ["1", "2"]  # then the draw's bands


def test_every_weight_zero_answers_503() -> None:
    assert ["http-request", "deny", "deny_status", "503"] in [line[:4] for line in words_of(Route("pol-1", (), ToBackends((("p-1", 0),))))]


def test_a_kept_query_string_gets_its_question_mark_only_when_the_request_had_one() -> None:
    redirects = [line for line in words_of(Route("pol-1", (), Redirect(302, None, None, None, None, None))) if line[:2] == ["http-request", "redirect"]]
    assert [line[3] for line in redirects] == [
        "%[ssl_fc,iif(https,http)]://%[req.hdr(host),regsub(:[0-9]*$,)]:%[dst_port]%[path]?%[query]",
        "%[ssl_fc,iif(https,http)]://%[req.hdr(host),regsub(:[0-9]*$,)]:%[dst_port]%[path]",
    ]
    assert redirects[0][-4:] == ["{", "query", "-m", "found"] or redirects[0][-5:-1] == ["{", "query", "-m", "found"]


def test_placeholders_among_literal_text_take_the_requests_parts() -> None:
    (redirect,) = [line for line in words_of(Route("pol-1", (), Redirect(301, "https", "${host}.example.net", 443, "/new${path}", "from=${host}&${query}")))
                   if line[:2] == ["http-request", "redirect"]]
    assert redirect[3] == ("https://%[req.hdr(host),regsub(:[0-9]*$,)].example.net:443/new%[path]"
                           "?from=%[req.hdr(host),regsub(:[0-9]*$,)]&%[query]")


def test_an_answers_headers_are_set_after_it_is_made_and_a_copied_request_header_read_before() -> None:
    headers = (("X-Note", "USER_DEFINED", "a %[src]"), ("X-Trace", "REFERENCE_HEADER", "X-Request-Id"), ("X-Client", "SYSTEM_DEFINED", "CLIENT-IP"))
    lines = words_of(Route("pol-1", (), Redirect(302, "https", "a.example.com", 443, "/", "", headers, ("Server",))))
    chosen = ["{", "var(txn.elbd_route)", "-m", "str", "route-1", "}"]
    capture = ["http-request", "set-var(txn.elbd_h1_2)", "req.hdr(X-Request-Id)", "if", *chosen]
    assert lines.index(capture) < next(index for index, line in enumerate(lines) if line[:2] == ["http-request", "redirect"])
    assert ["http-after-response", "set-header", "X-Note", "a %%[src]", "if", *chosen] in lines
    assert ["http-after-response", "set-header", "X-Trace", "%[var(txn.elbd_h1_2)]", "if", *chosen, "{", "var(txn.elbd_h1_2)", "-m", "found", "}"] in lines
    assert ["http-after-response", "set-header", "X-Client", "%[src]", "if", *chosen] in lines
    assert ["http-after-response", "del-header", "Server", "if", *chosen] in lines


@pytest.mark.parametrize("header", [("X A", "USER_DEFINED", "v"), ("X-A", "REFERENCE_HEADER", "a)b"), ("X-A", "SYSTEM_DEFINED", "ELB-EIP"), ("X-A", "OTHER", "v")])
def test_an_answer_header_outside_its_grammar_is_refused(header: tuple[str, str, str]) -> None:
    with pytest.raises(UnsafeValue):
        route_lines(frontend(Route("pol-1", (), FixedResponse(503, "text/plain", "x", (header,)))))


def test_a_glob_is_literal_but_for_its_stars_and_question_marks() -> None:
    assert glob_regex("a*b?.c(") == r"^a.*b.\.c\($"


def rendered(route: Route) -> bool:
    try:
        route_lines(frontend(route))
    except UnsafeValue:
        return False
    return True


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="needs HAProxy")
def test_haproxy_accepts_every_printable_hostile_value_in_every_field(tmp_path: Path) -> None:
    printable = [value for value in HOSTILE if value.isascii() and value.isprintable()]
    routes = [route for value in printable for route_with, _ in FIELDS.values() if rendered(route := route_with(value))]
    assert len(routes) > len(printable) * 6  # most fields take most printable values
    routes += [Route("pol-1", (Match("path", "regex", ("^/a(b|c)+$",)), Match("method", "exact", ("GET",)),
                               Match("source", "network", ("127.0.0.0/8", "::1/128"))), ToBackends((("p-1", 1), ("p-2", 3)))),
               Route("pol-2", (Match("path", "prefix", ("/sticky",)),), ToBackends((("p-1", 1), ("p-2", 3)), sticky_s=60)),
               Route("pol-3", (Match("path", "prefix", ("/headers",)),),
                     Redirect(302, None, None, None, None, None, (("X-A", "REFERENCE_HEADER", "X-B"), ("X-C", "SYSTEM_DEFINED", "ELB-PROTOCOL")), ("Server",)))]
    path = tmp_path / "haproxy.cfg"
    path.write_text(render(config(*routes), tmp_path, tmp_path))
    checked = subprocess.run([shutil.which("haproxy") or "haproxy", "-c", "-f", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
