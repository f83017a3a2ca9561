"""No value changes the shape of a configuration or of a runtime command.

Every field a request can reach is rendered with a hostile corpus (line breaks, quotes, `#`,
backslashes, `%[`, spaces, NUL, non-ASCII, very long) and the configuration is parsed back the way
HAProxy reads it: either the value is refused (UnsafeValue) or every line keeps its keyword and its
number of words, and the value comes back whole as one word. HAProxy itself then checks the rendered
files. The renderer is tested without the API's validation in front of it: it must hold on its own."""

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from ipaddress import IPv6Address, ip_address
from pathlib import Path

import pytest

from elbd.dataplane.haproxy_answers import LiveServer
from elbd.dataplane.plan import server_commands
from elbd.dataplane.runtime_commands import CloseKeepAlive, GetWeight, ShowInfo, ShowServersState, ShowStat, text
from elbd.dataplane.haproxy_words import UnsafeValue, endpoint, runtime_line
from elbd.dataplane.model import Backend, Frontend, HealthCheck, LoadBalancerConfig, Persistence, Server
from elbd.dataplane.render import render

HOSTILE = [
    "\n",
    "a\nserver e 127.0.0.1:9876 #",
    "x]:1 init-addr none\nserver e 127.0.0.1:9876 #",
    "\r\ndisable frontend f",
    "'",
    "a' 'b",
    '"',
    '"$HOME"',
    "$HOME",
    "#",
    "/health#x",
    "\\",
    "\\'",
    "%[src]",
    "%",
    " ",
    "a b",
    "\t",
    "\x00",
    "\x7f",
    "é",
    "２００",
    ";",
    "{{ lb.id }}",
    "x" * 5000,
]
RUN_DIR, SOCKET_DIR = Path("/tmp/elbd-run/lb"), Path("/tmp/elbd-sock/lb")
CHECK = HealthCheck("HTTP", 2, 1, 1, 1, http_method="GET", url_path="/", host="example.com", expected_codes="200")


def haproxy_words(line: str) -> list[str]:
    """One line split into words as HAProxy's parser does: `#` starts a comment, `'...'` takes
    everything literally, `"..."` and a backslash escape, adjacent quoted parts join into one word."""
    words: list[str] = []
    word: str | None = None
    index, quote = 0, ""
    while index < len(line):
        char = line[index]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                word += char  # type: ignore[operator]
        elif char == "\\" and index + 1 < len(line):
            index += 1
            word = (word or "") + line[index]
        elif quote == '"':
            if char == '"':
                quote = ""
            else:
                word += char  # type: ignore[operator]
        elif char in "'\"":
            quote, word = char, word or ""
        elif char == "#":
            break
        elif char in " \t":
            if word is not None:
                words.append(word)
            word = None
        else:
            word = (word or "") + char
        index += 1
    assert not quote, f"an unterminated quote in {line!r}"
    if word is not None:
        words.append(word)
    return words


def parsed(config: str) -> list[list[str]]:
    return [words for line in config.split("\n") if (words := haproxy_words(line))]


def shape(config: str) -> list[tuple[str, int]]:
    return [(words[0], len(words)) for words in parsed(config)]


def sample(
    check: HealthCheck = CHECK, server_name: str = "m-1", frontend_name: str = "l-1", backend_name: str = "p-1", persistence: Persistence | None = None
) -> LoadBalancerConfig:
    server = Server(server_name, ip_address("127.20.0.10"), 8080, 1)
    backend = Backend(backend_name, "http", "roundrobin", check=check, servers=(server,), persistence=persistence)
    frontend = Frontend(frontend_name, (ip_address("127.20.0.2"), ip_address("fd00::2")), 80, "http", backend=backend_name)
    return LoadBalancerConfig("lb-1", 4000, (frontend,), (backend,))


FIELDS: dict[str, Callable[[str], LoadBalancerConfig]] = {
    "url_path": lambda value: sample(replace(CHECK, url_path=value)),
    "host": lambda value: sample(replace(CHECK, host=value)),
    "expected_codes": lambda value: sample(replace(CHECK, expected_codes=value)),
    "http_method": lambda value: sample(replace(CHECK, http_method=value)),
    "server name": lambda value: sample(server_name=value),
    "frontend name": lambda value: sample(frontend_name=value),
    "backend name": lambda value: sample(backend_name=value),
    "cookie_name": lambda value: sample(persistence=Persistence("app_cookie", cookie_name=value)),  # a token only
}
TEXT_FIELDS = ("url_path", "host", "expected_codes", "http_method")  # the rest take names only


@pytest.mark.parametrize("field", list(FIELDS))
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_value_is_refused_or_rendered_as_one_word(field: str, value: str) -> None:
    baseline = render(FIELDS[field]("safe-value"), RUN_DIR, SOCKET_DIR)
    try:
        config = render(FIELDS[field](value), RUN_DIR, SOCKET_DIR)
    except UnsafeValue:
        return
    assert shape(config) == shape(baseline)
    assert field in TEXT_FIELDS, f"{field} takes names only, yet {value!r} was rendered"
    word = value.replace("%", "%%") if field == "host" else value  # a log-format argument doubles %
    assert any(words[0] == "http-check" and word in words for words in parsed(config)), f"{value!r} did not come back as one word"


def test_every_field_keeps_every_other_line_unchanged() -> None:
    """The lines that do not carry the field are the same bytes with or without a hostile value."""
    baseline = render(sample(), RUN_DIR, SOCKET_DIR).split("\n")
    hostile = render(sample(replace(CHECK, url_path="/a'\\#%[src]")), RUN_DIR, SOCKET_DIR).split("\n")
    assert [line for line in hostile if "uri" not in line] == [line for line in baseline if "uri" not in line]


def test_a_log_format_value_is_taken_literally() -> None:
    config = render(sample(replace(CHECK, host="%[src]")), RUN_DIR, SOCKET_DIR)
    [send] = [words for words in parsed(config) if words[:2] == ["http-check", "send"]]
    assert send[send.index("Host") + 1] == "%%[src]"  # HAProxy's log-format reads %% as one literal %


@pytest.mark.parametrize("text", ["fd00::5%x]:1 init-addr none\nserver e 127.0.0.1:9876 #", "fd00::5%eth0"])
def test_an_address_with_a_zone_is_never_rendered(text: str) -> None:
    zoned = IPv6Address(text)
    with pytest.raises(UnsafeValue):
        endpoint(zoned, 80)
    with pytest.raises(UnsafeValue):
        render(replace(sample(), backends=(replace(sample().backends[0], servers=(Server("m-1", zoned, 80, 1),)),)), RUN_DIR, SOCKET_DIR)
    with pytest.raises(UnsafeValue):
        endpoint("127.0.0.1\nserver e 127.0.0.1", 80)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_runtime_api_gets_only_commands_of_its_grammar(value: str) -> None:
    backend = Backend("p-1", "http", "roundrobin", check=CHECK)
    for hostile in (Server(value, ip_address("127.20.0.10"), 80, 1), Server("m-1", ip_address("127.20.0.10"), 80, 1)):
        target = replace(backend, name=value) if hostile.name == "m-1" else backend
        try:
            lines = [text(command) for command in server_commands(target, hostile, None)]
        except UnsafeValue:
            continue
        assert len(value) > 100 and value.isalnum(), f"{value!r} reached a runtime command"  # only the long name fits the grammar
        assert all(runtime_line(line) == line for line in lines)
    if re.fullmatch(r"[A-Za-z0-9_.:/\[\] -]*", value):
        return  # only more or longer words: the names above are what keep those out
    for command in (f"set server p-1/m-1 weight {value}", f"show stat {value} 4 -1", f"del server p-1/{value}"):
        with pytest.raises(UnsafeValue):
            runtime_line(command)  # the last gate, at the socket


def test_the_commands_elbd_sends_match_the_grammar() -> None:
    checked = Backend("p-1", "http", "roundrobin", check=replace(CHECK, port=8443, kind="HTTPS"), server_ssl=True)
    pooled = Backend("p-1", "http", "roundrobin", persistence=Persistence("source"), slowstart_s=30, drain_s=10)
    for backend, server in [(one, server) for one in (checked, pooled) for server in (Server("m-1", ip_address("127.20.0.10"), 80, 3), Server("m-2", ip_address("fd00::10"), 0, 0, held=True),
                                                                     Server("m-3", ip_address("127.20.0.12"), 80, 0))]:
        live = LiveServer("p-1", server.name, ip_address("127.20.0.11"), 81, 5, True, since_change_s=60)
        for command in server_commands(backend, server, None) + server_commands(backend, server, live) + server_commands(backend, None, live):
            line = text(command)
            assert runtime_line(line) == line
    for command in (ShowServersState(), ShowServersState("p-1"), ShowStat(), ShowStat("p-1"), ShowInfo(), GetWeight("p-1", "m-1"), CloseKeepAlive(5)):
        assert runtime_line(text(command)) == text(command)


@pytest.mark.skipif(shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists(), reason="needs HAProxy")
def test_haproxy_accepts_what_is_rendered_from_hostile_values(tmp_path: Path) -> None:
    """HAProxy's own parser agrees: every printable hostile value yields a valid configuration."""
    printable = [value for value in HOSTILE if value.isascii() and value.isprintable()]
    backends = tuple(
        Backend(f"q-{number}", "http", "roundrobin", check=replace(CHECK, url_path=value, host=value, http_method=value), servers=())
        for number, value in enumerate(printable)
    )
    server = Server("m-2", ip_address("127.20.0.11"), 8080, 2)
    pools = tuple(
        Backend(f"r-{number}", "http", "leastconn", persistence=persistence, slowstart_s=60, drain_s=600, servers=(server,))
        for number, persistence in enumerate([Persistence("source"), Persistence("cookie", idle_timeout_min=1440), Persistence("app_cookie", cookie_name="JSESSIONID")])
    )
    config = render(replace(sample(), backends=sample().backends + backends + pools), tmp_path, tmp_path)
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    checked = subprocess.run([binary, "-c", "-f", str(path)], capture_output=True, text=True, errors="replace", timeout=30)
    assert checked.returncode == 0, checked.stderr
