"""Certificate PEM parsed and checked (src/elbd/service/certificate_content.py): what is refused and
why, and the facts read from what is taken. The refusals never quote a private key."""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, NoEncryption, PrivateFormat

from elbd.errors import ElbError
from elbd.service.certificate_content import MAX_CHAIN, client_certificate, server_certificate
from tests.certificates import chain, issue, rsa_key

ROOT = issue("Test Root", ca=True)
INTERMEDIATE = issue("Test Intermediate", ca=True, issuer=ROOT)
LEAF = issue("www.example.com", names=["www.example.com", "*.example.com"], issuer=INTERMEDIATE)


def refusal(check: Callable[[], object]) -> str:
    with pytest.raises(ElbError) as raised:
        check()
    assert (raised.value.status, raised.value.code) == (400, "ELB.8902")
    assert "PRIVATE KEY-----\nMI" not in raised.value.message
    return raised.value.message


def test_a_chain_in_order_with_its_key_gives_the_leafs_facts() -> None:
    facts = server_certificate(chain(LEAF, INTERMEDIATE, ROOT), LEAF.key_pem)
    assert facts.common_name == "www.example.com"
    assert facts.subject_alternative_names == ("www.example.com", "*.example.com")
    digest = hashlib.sha1(LEAF.certificate.public_bytes(Encoding.DER)).hexdigest().upper()
    assert facts.fingerprint == "SHA1 Fingerprint=" + ":".join(digest[i : i + 2] for i in range(0, 40, 2))
    assert facts.expire_time == LEAF.certificate.not_valid_after_utc.replace(tzinfo=None)


@pytest.mark.parametrize("key_format", [PrivateFormat.PKCS8, PrivateFormat.TraditionalOpenSSL])
def test_rsa_2048_and_ecdsa_keys_in_pkcs8_or_traditional_form(key_format: PrivateFormat) -> None:
    for name, kind in (("rsa.example.com", "rsa"), ("ec.example.com", "ec")):
        leaf = issue(name, key=kind)
        pem = leaf.key.private_bytes(Encoding.PEM, key_format, NoEncryption()).decode()
        assert server_certificate(leaf.certificate_pem, pem).common_name == name


def test_an_ec_key_after_its_parameters_block_as_openssl_ecparam_writes_it() -> None:
    parameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    assert server_certificate(LEAF.certificate_pem, parameters + LEAF.key_pem).common_name == "www.example.com"


def test_crlf_line_ends_and_surrounding_whitespace_are_fine() -> None:
    text = "\r\n" + chain(LEAF, INTERMEDIATE).replace("\n", "\r\n") + "\n\n"
    assert server_certificate(text, LEAF.key_pem.replace("\n", "\r\n")).common_name == "www.example.com"


def test_an_expired_certificate_is_taken_as_the_real_service_takes_it() -> None:
    expired = issue("old.example.com", expired=True)
    facts = server_certificate(expired.certificate_pem, expired.key_pem)
    assert facts.expire_time < datetime.now(UTC).replace(tzinfo=None)


def test_a_certificate_without_common_name_or_names() -> None:
    bare = issue(None)
    facts = server_certificate(bare.certificate_pem, bare.key_pem)
    assert (facts.common_name, facts.subject_alternative_names) == ("", ())


@pytest.mark.parametrize(
    ("certificate", "key", "words"),
    [
        ("", LEAF.key_pem, "not PEM"),
        ("MIIB" * 10, LEAF.key_pem, "not PEM"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", LEAF.key_pem, "certificate 1 is not a valid X.509"),
        ("junk\n" + LEAF.certificate_pem, LEAF.key_pem, "outside its PEM blocks"),
        (LEAF.certificate_pem + LEAF.key_pem, LEAF.key_pem, "holds a private key"),
        (LEAF.certificate_pem + "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", LEAF.key_pem, "X509 CRL block"),
        (chain(LEAF, ROOT, INTERMEDIATE), LEAF.key_pem, "certificate 2 did not issue certificate 1"),
        (chain(INTERMEDIATE, LEAF), INTERMEDIATE.key_pem, "certificate 2 did not issue certificate 1"),
        (chain(LEAF, INTERMEDIATE, INTERMEDIATE), LEAF.key_pem, "certificate 3 did not issue certificate 2"),
        (chain(*[ROOT] * (MAX_CHAIN + 1)), ROOT.key_pem, f"at most {MAX_CHAIN}"),
    ],
)
def test_a_chain_that_is_not_pem_or_not_in_order_is_refused(certificate: str, key: str, words: str) -> None:
    message = refusal(lambda: server_certificate(certificate, key))
    assert message.startswith("Invalid input for 'certificate': ") and words in message, message


def test_a_chain_of_eleven_is_the_longest_taken() -> None:
    links = [issue("Link 0", ca=True)]
    for number in range(1, MAX_CHAIN):
        links.append(issue(f"Link {number}", ca=number < MAX_CHAIN - 1, issuer=links[-1]))
    assert server_certificate(chain(*reversed(links)), links[-1].key_pem).common_name == f"Link {MAX_CHAIN - 1}"


@pytest.mark.parametrize(
    ("key", "words"),
    [
        (INTERMEDIATE.key_pem, "not the private key of the certificate"),
        (LEAF.encrypted_key_pem(), "encrypted"),
        (LEAF.key.private_bytes(Encoding.PEM, PrivateFormat.TraditionalOpenSSL, BestAvailableEncryption(b"pw")).decode(), "encrypted"),
        ("", "not PEM"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not a valid PEM private key"),
        (LEAF.key_pem + LEAF.key_pem, "exactly one PEM private key block"),
        (LEAF.key_pem + LEAF.certificate_pem, "exactly one PEM private key block"),
        (LEAF.key_pem + "trailing words", "outside its PEM blocks"),
    ],
)
def test_a_key_that_does_not_fit_is_refused(key: str, words: str) -> None:
    message = refusal(lambda: server_certificate(chain(LEAF, INTERMEDIATE), key))
    assert message.startswith("Invalid input for 'private_key': ") and words in message, message


def test_an_rsa_key_under_2048_bits_is_refused_and_another_rsa_key_is_not_its_match() -> None:
    weak = issue("weak.example.com", key=rsa_key(1024))
    assert "2048 bits or more" in refusal(lambda: server_certificate(weak.certificate_pem, weak.key_pem))
    strong = issue("rsa.example.com", key="rsa")
    other = rsa_key(2048, number=1).private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    assert "not the private key" in refusal(lambda: server_certificate(strong.certificate_pem, other))


def test_a_client_certificate_is_one_or_more_ca_certificates_in_any_order() -> None:
    other_root = issue("Other Root", ca=True, key="rsa")
    facts = client_certificate(chain(INTERMEDIATE, other_root, ROOT))
    assert facts.common_name == "Test Intermediate" and facts.subject_alternative_names == ()
    message = refusal(lambda: client_certificate(chain(ROOT, LEAF)))
    assert message.startswith("Invalid input for 'certificate': certificate 2 is not a CA certificate"), message
    assert "holds a private key" in refusal(lambda: client_certificate(ROOT.certificate_pem + ROOT.key_pem))
