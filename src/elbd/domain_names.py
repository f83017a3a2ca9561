"""Domain names a server certificate answers for: the one parser of a certificate's `domain` list, and
the names a certificate answers for in SNI.

A name is labels of letters, digits and '-' (1 to 63 characters, a letter or digit at each end) joined
by '.', at most 253 characters; a wildcard name is such a name after a leading '*.', the only place '*'
may be. A `domain` list is names joined by ',' with nothing else between them: at most 100 names and
10,000 characters, no name twice (names compare without case, as DNS compares them).
"""

import re
from collections.abc import Iterable

from elbd.errors import invalid

MAX_NAMES = 100
MAX_LIST_LENGTH = 10_000
MAX_NAME_LENGTH = 253
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def is_domain_name(name: str) -> bool:
    """A name or a wildcard name, as the `domain` list takes it."""
    plain = name.removeprefix("*.")
    return 0 < len(plain) <= MAX_NAME_LENGTH and all(_LABEL.fullmatch(label) for label in plain.split("."))


def parse_domain_list(text: str | None) -> tuple[str, ...]:
    """The names of a `domain` list; empty or null is no name. Refused with a 400 saying which rule fails."""
    if not text:
        return ()
    if len(text) > MAX_LIST_LENGTH:
        raise invalid(f"Invalid input for 'domain': it has {len(text)} characters; at most {MAX_LIST_LENGTH}.")
    names = tuple(text.split(","))
    if len(names) > MAX_NAMES:
        raise invalid(f"Invalid input for 'domain': it names {len(names)} domains; at most {MAX_NAMES}.")
    for name in names:
        if not is_domain_name(name):
            raise invalid(
                f"Invalid input for 'domain': {name!r} is not a domain name; give names like www.example.com or *.example.com "
                "('*' only as a leading '*.'), separated by ',' alone."
            )
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise invalid(f"Invalid input for 'domain': {name} is named twice.")
        seen.add(name.lower())
    return names


def names_answered(domain: str | None, subject_alternative_names: Iterable[str], common_name: str) -> tuple[str, ...]:
    """The names a server certificate answers for in SNI: its `domain` list when it has one, else the DNS
    names of its subjectAltName, else its common name; only well-formed names count."""
    if domain:
        return parse_domain_list(domain)
    alternatives = tuple(name for name in subject_alternative_names if is_domain_name(name))
    if alternatives:
        return alternatives
    return (common_name,) if is_domain_name(common_name) else ()
