"""A copy's default name: the source's with a suffix, within a name's length."""

from elbd.service.clones import NAME_LENGTH, copy_name


def test_a_copys_default_name_is_the_sources_with_its_suffix() -> None:
    assert copy_name("web", "-copy-2") == "web-copy-2"


def test_a_copys_default_name_fits_in_a_name() -> None:
    long = copy_name("n" * NAME_LENGTH, "-copy-10")
    assert len(long) == NAME_LENGTH and long.endswith("-copy-10")
