"""A listener's stored L7 policies (store/dataplane.py records, already in the API's precedence) -> the
routes its frontend serves. Pure functions.

A policy without rules matches no request (a redirect to a listener, which has none, takes every one).
A policy is served only when all of it can be: one whose status is ERROR (its rules repeat another's),
whose pool or target listener is not served, or whose rule elbd cannot express is left out with a
warning, never served in part (a policy without its host rule would catch every host)."""

import logging
from collections.abc import Collection, Mapping

from elbd.dataplane.model import FixedResponse, Match, Redirect, Route, ToBackends
from elbd.store.dataplane import StoredL7Policy, StoredL7Rule, StoredListener, StoredRedirectUrl

log = logging.getLogger(__name__)

_MATCHES = {
    # (rule type, compare type): (subject, how)
    ("HOST_NAME", "EQUAL_TO"): ("host", "exact"),
    ("PATH", "EQUAL_TO"): ("path", "exact"),
    ("PATH", "STARTS_WITH"): ("path", "prefix"),
    ("PATH", "REGEX"): ("path", "regex"),
    ("METHOD", "EQUAL_TO"): ("method", "exact"),
    ("HEADER", "EQUAL_TO"): ("header", "glob"),
    ("QUERY_STRING", "EQUAL_TO"): ("query", "glob"),
    ("COOKIE", "EQUAL_TO"): ("cookie", "exact"),
    ("SOURCE_IP", "EQUAL_TO"): ("source", "network"),
}
_KEYED = ("HEADER", "QUERY_STRING", "COOKIE")
KEEP = {"protocol": "${protocol}", "host": "${host}", "port": "${port}", "path": "${path}", "query": "${query}"}
TO_LISTENER_CODE = 301


class Unroutable(ValueError):
    """A policy elbd cannot serve whole."""


def routes(policies: tuple[StoredL7Policy, ...], listeners: Mapping[str, StoredListener], backends: Collection[str]) -> tuple[Route, ...]:
    """The routes of one listener's policies, in their order; `backends` are the pools served."""
    served = []
    for policy in policies:
        if policy.provisioning_status != "ACTIVE" or (not policy.rules and policy.action != "REDIRECT_TO_LISTENER"):
            continue  # a policy without rules matches no request, but for a redirect to a listener, which takes every one
        try:
            served.append(Route(policy.id, tuple(match(rule) for rule in policy.rules), action(policy, listeners, backends)))
        except Unroutable as reason:
            log.warning("L7 policy %s is left out of the data plane: %s", policy.id, reason)
    return tuple(served)


def match(rule: StoredL7Rule) -> Match:
    kind = _MATCHES.get((rule.type, rule.compare_type))
    if kind is None:
        raise Unroutable(f"a {rule.type} rule compared by {rule.compare_type}")
    if rule.type in _KEYED and not rule.key:
        raise Unroutable(f"a {rule.type} rule without a name")
    return Match(kind[0], kind[1], tuple(rule.values), rule.key if rule.type in _KEYED else None)


def action(policy: StoredL7Policy, listeners: Mapping[str, StoredListener], backends: Collection[str]) -> ToBackends | Redirect | FixedResponse:
    if policy.action == "REDIRECT_TO_POOL":
        missing = [pool for pool, _ in policy.redirect_pools if pool not in backends]
        if missing or not policy.redirect_pools:
            raise Unroutable(f"its pools {missing} are not served")
        sticky_min = policy.sticky_session_timeout_min
        return ToBackends(tuple(policy.redirect_pools), sticky_s=None if sticky_min is None else sticky_min * 60)
    if policy.action == "REDIRECT_TO_LISTENER":
        target = listeners.get(policy.redirect_listener_id or "")
        if target is None or not target.admin_state_up:
            raise Unroutable("its target listener is not served")
        return Redirect(TO_LISTENER_CODE, "https", None, target.protocol_port, None, None)
    if policy.action == "REDIRECT_TO_URL" and policy.redirect_url is not None:
        return redirect(policy.redirect_url)
    if policy.action == "FIXED_RESPONSE" and policy.fixed_response is not None:
        response = policy.fixed_response
        return FixedResponse(response.status_code, response.content_type, response.body, response.inserted, response.removed)
    raise Unroutable(f"the action {policy.action}")


def redirect(url: StoredRedirectUrl) -> Redirect:
    """A part left out, or given as its `${...}` placeholder alone, keeps the request's own; placeholders
    among other text are filled in where they stand (route_lines)."""

    def given(part: str, value: str | None) -> str | None:
        return None if value is None or value == KEEP[part] else value

    protocol = given("protocol", url.protocol)
    port = given("port", url.port)
    if port is not None and not port.isdigit():
        raise Unroutable(f"the redirect port {port!r}")
    return Redirect(
        code=url.status_code,
        scheme=protocol.lower() if protocol else None,
        host=given("host", url.host),
        port=int(port) if port else None,
        path=given("path", url.path),
        query=given("query", url.query),
        set_headers=url.inserted,
        removed_headers=url.removed,
    )
