"""A certificate's `domain` list and the names a certificate answers for in SNI (src/elbd/domain_names.py)."""

import pytest

from elbd.domain_names import is_domain_name, names_answered, parse_domain_list
from elbd.errors import ElbError


@pytest.mark.parametrize("text", ["www.example.com", "*.example.com", "a", "xn--bcher-kva.example", "a-b.c-d.e", "A.Example.COM", "1.2.3.4"])
def test_names_the_rules_allow(text: str) -> None:
    assert is_domain_name(text)
    assert parse_domain_list(text) == (text,)


@pytest.mark.parametrize(
    "text",
    [
        "*", "*.", "a.*.example.com", "www*.example.com", "*example.com", "**.example.com", "-a.example.com", "a-.example.com",
        "a..example.com", ".example.com", "example.com.", "a_b.example.com", "ex ample.com", "a" * 64 + ".com",
        ".".join(["a" * 63] * 4) + ".com", "exämple.com", "a.com\n",
    ],
)
def test_names_the_rules_refuse(text: str) -> None:
    assert not is_domain_name(text)
    with pytest.raises(ElbError) as raised:
        parse_domain_list(text)
    assert (raised.value.status, raised.value.code) == (400, "ELB.8902")
    assert raised.value.message.startswith("Invalid input for 'domain': ")


def test_a_list_is_names_joined_by_commas_alone() -> None:
    assert parse_domain_list("a.example.com,*.b.example.com,c") == ("a.example.com", "*.b.example.com", "c")
    for text in ("a.com, b.com", "a.com,,b.com", "a.com,", ",a.com", "a.com;b.com"):
        with pytest.raises(ElbError):
            parse_domain_list(text)


def test_no_name_or_an_empty_list_is_no_name() -> None:
    assert parse_domain_list(None) == () and parse_domain_list("") == ()


def test_at_most_100_names_and_10000_characters_no_name_twice() -> None:
    hundred = ",".join(f"n{number}.example.com" for number in range(100))
    assert len(parse_domain_list(hundred)) == 100
    with pytest.raises(ElbError, match="at most 100"):
        parse_domain_list(hundred + ",one-more.example.com")
    with pytest.raises(ElbError, match="at most 10000"):
        parse_domain_list(",".join(["b" * 60 + f"{number:03}.example.com" for number in range(99)] * 2)[:10001])
    with pytest.raises(ElbError, match="twice"):
        parse_domain_list("a.example.com,A.EXAMPLE.COM")


def test_a_certificate_answers_for_its_domain_else_its_dns_names_else_its_common_name() -> None:
    assert names_answered("x.example.com,*.y.example.com", ["a.example.com"], "cn.example.com") == ("x.example.com", "*.y.example.com")
    assert names_answered(None, ["a.example.com", "*.a.example.com"], "cn.example.com") == ("a.example.com", "*.a.example.com")
    assert names_answered("", [], "cn.example.com") == ("cn.example.com",)
    assert names_answered(None, ["bad name"], "My Company CA") == ()
