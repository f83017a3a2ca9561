"""Each word-maker of haproxy_words.py at its edges: what it renders, and what it refuses with which
message (test_hostile_values.py throws hostile values at the whole rendering)."""

from ipaddress import ip_address

import pytest

from elbd.dataplane.haproxy_words import UnsafeValue, address, config_word, endpoint, log_format_word, name, number, pem_payload, runtime_line

PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nAAAA==\n-----END CERTIFICATE-----"


@pytest.mark.parametrize(
    ("value", "word"),
    [("", "''"), ("plain", "'plain'"), ("it's", "'it'\\''s'"), (" ~", "' ~'"), ("a%b", "'a%b'")],
)
def test_a_config_word_is_strong_quoted(value: str, word: str) -> None:
    assert config_word(value) == word


@pytest.mark.parametrize("value", ["line\nbreak", "tab\there", "\x7f", "café", "\x1f"])
def test_a_config_word_refuses_what_a_line_cannot_carry(value: str) -> None:
    with pytest.raises(UnsafeValue, match="holds characters a configuration line cannot carry"):
        config_word(value)


def test_a_log_format_word_doubles_percent_signs() -> None:
    assert log_format_word("100% %[src]") == "'100%% %%[src]'"


@pytest.mark.parametrize("value", ["a", "A0", "m-1", "p_1.x", "a" * 100])
def test_names_elbd_gives(value: str) -> None:
    assert name(value) == value


@pytest.mark.parametrize("value", ["", "-a", ".a", "_a", "a b", "a/b", "a" * 101, "a;b"])
def test_names_elbd_does_not_give(value: str) -> None:
    with pytest.raises(UnsafeValue, match="is not a name elbd gives"):
        name(value)


def test_a_number_is_a_whole_number_and_nothing_like_one() -> None:
    assert number(0) == "0" and number(65535) == "65535" and number(-1) == "-1"
    for value in (True, 1.0, "1"):
        with pytest.raises(UnsafeValue, match="is not a whole number"):
            number(value)  # type: ignore[arg-type]


def test_an_address_is_a_value_without_a_zone() -> None:
    assert address(ip_address("127.0.0.1")) == "127.0.0.1" and address(ip_address("fd00::1")) == "fd00::1"
    for value in (ip_address("fd00::1%eth0"), "127.0.0.1"):
        with pytest.raises(UnsafeValue, match="is not an address value"):
            address(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("host", "port", "text"),
    [("127.0.0.1", 80, "127.0.0.1:80"), ("fd00::1", 443, "[fd00::1]:443"), ("127.0.0.1", 0, "127.0.0.1"), ("fd00::1", 0, "[fd00::1]"), ("127.0.0.1", 65535, "127.0.0.1:65535")],
)
def test_an_endpoint_leaves_port_0_out(host: str, port: int, text: str) -> None:
    assert endpoint(ip_address(host), port) == text


@pytest.mark.parametrize("port", [-1, 65536, True, "80"])
def test_an_endpoint_refuses_what_is_not_a_port(port: object) -> None:
    with pytest.raises(UnsafeValue, match="is not a port"):
        endpoint(ip_address("127.0.0.1"), port)  # type: ignore[arg-type]


def test_a_pem_payload_is_its_marker_and_base64_lines_only() -> None:
    assert pem_payload(f"\n{PEM}\n\n") == PEM


@pytest.mark.parametrize("text", ["", "\n", f"{PEM}\n\nshow info", f"{PEM}\nnot base64!", "-----BEGIN evil-----", "A" * 129])
def test_a_pem_payload_refuses_anything_else(text: str) -> None:
    with pytest.raises(UnsafeValue) as refused:
        pem_payload(text)
    assert str(refused.value) == "the payload is not PEM blocks"


@pytest.mark.parametrize("line", ["show stat", "set server p-1/m-1 weight 0", "enable server p/a; set server p/a health down", "set server p/a addr fd00::1 port 80"])
def test_runtime_lines_elbd_sends(line: str) -> None:
    assert runtime_line(line) == line


@pytest.mark.parametrize("line", ["", "show  stat", "show stat ", "a;b", "a; ", "show stat\nshow info", "set server p/a addr 'x'"])
def test_runtime_lines_elbd_never_sends(line: str) -> None:
    with pytest.raises(UnsafeValue, match="is not a runtime command elbd sends"):
        runtime_line(line)
