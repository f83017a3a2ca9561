from elbd.certificate_names import names_answered


def test_the_domain_list_wins_over_the_certificate_s_own_names() -> None:
    assert names_answered("a.example.com, *.B.example.com", ["c.example.com"], "c.example.com") == ("a.example.com", "*.b.example.com")


def test_without_a_domain_list_the_dns_alternative_names_answer() -> None:
    assert names_answered(None, ["www.example.com", "example.com"], "cn.example.com") == ("www.example.com", "example.com")
    assert names_answered("", ["www.example.com"], "cn.example.com") == ("www.example.com",)


def test_the_common_name_answers_when_nothing_else_does() -> None:
    assert names_answered(None, [], "Only.Example.com") == ("only.example.com",)
    assert names_answered(None, [], "") == ()


def test_a_name_given_twice_counts_once() -> None:
    assert names_answered("a.example.com,A.example.com,,b.example.com", [], "x") == ("a.example.com", "b.example.com")
