"""Which host names a server certificate answers for when a listener picks a certificate by the name a
client asks for (SNI): the certificate's `domain` list when it has one, else the DNS names among its
subject alternative names, else its common name. One rule for the API (unique names across a
listener's SNI certificates) and the data plane (the crt-list's filters). A leaf: imports nothing."""


def names_answered(domain: str | None, subject_alternative_names: list[str] | tuple[str, ...], common_name: str) -> tuple[str, ...]:
    """Lowercased, first occurrence kept, in the order given. `subject_alternative_names` holds the DNS
    names only (IP addresses are not names a client sends in SNI)."""
    if domain:
        names = [name.strip() for name in domain.split(",") if name.strip()]
    elif subject_alternative_names:
        names = list(subject_alternative_names)
    else:
        names = [common_name] if common_name else []
    return tuple(dict.fromkeys(name.lower() for name in names))
