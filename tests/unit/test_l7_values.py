"""The values of forwarding rules and policies that reach HAProxy: the reference's character rules,
printable ASCII only, and regular expressions PCRE2 compiles with no catastrophic shape."""

from collections.abc import Callable

import pytest

from elbd import l7_values
from elbd.l7_values import BadValue, catastrophic_shape, pcre2_error

CONTROL = ["a\nb", "a\rb", "a\x00b", "a\tb", "a\x7fb", "caf\u00e9", "\u2028"]


def refused(check: Callable[[str], str], value: str) -> str:
    with pytest.raises(BadValue) as refusal:
        check(value)
    return str(refusal.value)


@pytest.mark.parametrize(
    "check",
    [
        l7_values.path,
        l7_values.regex,
        l7_values.header_key,
        l7_values.header_value,
        l7_values.query_key,
        l7_values.query_value,
        l7_values.cookie_key,
        l7_values.cookie_value,
        l7_values.redirect_host,
        l7_values.redirect_query,
        l7_values.message_body,
        lambda value: l7_values.host_name(value, wildcard=True),
    ],
)
@pytest.mark.parametrize("value", CONTROL)
def test_no_control_character_nor_anything_beyond_ascii_reaches_haproxy(check: Callable[[str], str], value: str) -> None:
    refused(check, "/" + value)


@pytest.mark.parametrize("value", ["www.example.com", "a", "1-2.example", "*.example.com"])
def test_host_names_of_the_reference(value: str) -> None:
    assert l7_values.host_name(value, wildcard=True) == value


@pytest.mark.parametrize("value", ["-a.com", ".a.com", "a b.com", "a_b.com", "*a.com", "a.*.com", "**.a.com", "*", "a" * 129, "", "a'b", "a\"b"])
def test_host_names_outside_the_reference(value: str) -> None:
    refused(lambda text: l7_values.host_name(text, wildcard=True), value)


def test_a_wildcard_host_needs_enhance() -> None:
    assert "enhance_l7policy_enable" in refused(lambda text: l7_values.host_name(text, wildcard=False), "*.example.com")


@pytest.mark.parametrize("value", ["/", "/api", "/a_b~c';@^-%#&$.*+?,=!:|\\/()[]{}", "/%[src]", "/a#b"])
def test_paths_of_the_reference_are_kept_verbatim(value: str) -> None:
    assert l7_values.path(value) == value


@pytest.mark.parametrize("value", ["api", "/a b", '/a"b', "/a<b", "/a>b", "/a`b", "/" + "a" * 128, ""])
def test_paths_outside_the_reference(value: str) -> None:
    refused(l7_values.path, value)


@pytest.mark.parametrize("value", ["X-Forwarded-For", "x_y", "a" * 40])
def test_header_names(value: str) -> None:
    assert l7_values.header_key(value) == value


@pytest.mark.parametrize("value", ["a" * 41, "a:b", "a b", "a.b", ""])
def test_header_names_refused(value: str) -> None:
    refused(l7_values.header_key, value)


def test_header_values_take_wildcards_but_no_space_nor_quote() -> None:
    assert l7_values.header_value("gzip*?") == "gzip*?"
    refused(l7_values.header_value, "a b")
    refused(l7_values.header_value, 'a"b')


@pytest.mark.parametrize("char", list(" []{}<>\\\"#&|%~"))
def test_query_string_forbidden_characters(char: str) -> None:
    refused(l7_values.query_value, f"a{char}b")
    refused(l7_values.query_key, f"a{char}b")


@pytest.mark.parametrize("char", list("(),':/=!$*+;@"))
def test_query_string_names_are_fetch_arguments(char: str) -> None:
    refused(l7_values.query_key, f"a{char}b")
    assert l7_values.query_value(f"a{char}b") == f"a{char}b"


def test_cookies() -> None:
    assert l7_values.cookie_key("session.id-1_x") == "session.id-1_x"
    refused(l7_values.cookie_key, "a=b")
    refused(l7_values.cookie_value, "a;b")
    assert l7_values.cookie_value("abc*") == "abc*"


def test_methods_and_source_ips() -> None:
    assert l7_values.method("GET") == "GET"
    refused(l7_values.method, "get")
    assert l7_values.source_ip("192.168.0.0/24") == "192.168.0.0/24"
    assert l7_values.source_ip("fd00::/64") == "fd00::/64"
    assert "write it as" in refused(l7_values.source_ip, "FD00::/64")
    refused(l7_values.source_ip, "192.168.0.1/24")
    refused(l7_values.source_ip, "192.168.0.1")
    refused(l7_values.source_ip, "fd00::%eth0/64")


def test_redirect_parts() -> None:
    assert l7_values.redirect_protocol("${protocol}") == "${protocol}"
    refused(l7_values.redirect_protocol, "FTP")
    assert l7_values.redirect_host("${host}") == "${host}"
    refused(l7_values.redirect_host, "${hostx}")
    assert l7_values.redirect_port("8443") == "8443"
    for port in ("0", "65536", "080", "${port}x", "80 "):
        refused(l7_values.redirect_port, port)
    assert l7_values.redirect_path("/new/${path}") == "/new/${path}"
    refused(l7_values.redirect_path, "/new/$1")
    assert l7_values.redirect_query("${query}&name=my_name") == "${query}&name=my_name"
    assert l7_values.redirect_query("") == ""
    refused(l7_values.redirect_query, "a b")
    refused(l7_values.redirect_query, "a{b}")
    refused(l7_values.redirect_status_code, "300")


def test_fixed_responses() -> None:
    for code in ("200", "299", "404", "503"):
        assert l7_values.response_status_code(code) == code
    for code in ("100", "302", "600", "20", "2000", "abc"):
        refused(l7_values.response_status_code, code)
    refused(l7_values.content_type, "text/xml")
    assert l7_values.message_body("") == ""
    assert l7_values.message_body("a" * 1024) == "a" * 1024
    refused(l7_values.message_body, "a" * 1025)
    refused(l7_values.message_body, "line\nbreak")


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+", "(a*)*", "(a|a)*", "(a|aa)+", "(?:a+)+b", "((ab)*)+", "(a{2,})*", "(a{3})+", "(\\d+)*$", "(*LIMIT_MATCH=9999999)a", "(?:x|y){2,}"],
)
def test_catastrophic_shapes_are_named(pattern: str) -> None:
    assert catastrophic_shape(pattern)
    assert "backtrack catastrophically" in refused(l7_values.regex, pattern)


@pytest.mark.parametrize(
    "pattern",
    ["^/api/[a-z]+$", "/(en|fr)/.*", "(?:abc)+", "\\(a+\\)+", "[(]a+[)]+", "(a{1})+", "^/v[0-9]+/items/[0-9]+$", "(?#note)a+", "\\Q(a+)+\\E"],
)
def test_harmless_shapes_pass(pattern: str) -> None:
    assert catastrophic_shape(pattern) is None
    assert l7_values.regex(pattern) == pattern


@pytest.mark.parametrize(("pattern", "says"), [("(abc", "missing closing parenthesis"), ("a)", "unmatched closing parenthesis"), ("[a", "missing terminating ]"), ("*a", "quantifier does not follow")])
def test_pcre2_says_why_a_pattern_does_not_compile(pattern: str, says: str) -> None:
    error = pcre2_error(pattern)
    assert error and says in error
    assert says in refused(l7_values.regex, pattern)


def test_a_regex_takes_no_space() -> None:
    refused(l7_values.regex, "/a b")
