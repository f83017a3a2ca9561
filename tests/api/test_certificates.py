"""/v3/{project_id}/elb/certificates: create, show, list, update, delete, batch delete, the private-key
echo switch, every refusal with its reason (nothing stored), and the private key sealed at rest."""

import re
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select, update

from elbd.store.certificates import certificate_material
from elbd.store.models import Certificate
from elbd.store.secret_box import SealedSecretError
from tests.api.world import World, assert_elb_error, ids, used
from tests.certificates import chain, client_body, issue, server_body
from tests.conftest import Api

ROOT = issue("Certificates Test Root", ca=True)
INTERMEDIATE = issue("Certificates Test Intermediate", ca=True, issuer=ROOT)
LEAF = issue("www.example.com", names=["www.example.com", "*.api.example.com"], issuer=INTERMEDIATE)
MASKED = "*****"


def create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    return api.ok("POST", "certificates", body)["certificate"]


def new_server(api: Api, **fields: Any) -> dict[str, Any]:
    leaf = issue("www.example.com", names=["www.example.com"], issuer=INTERMEDIATE)
    return create(api, server_body(leaf, INTERMEDIATE, **fields))


def assert_refused(api: Api, body: dict[str, Any], field: str, *words: str) -> str:
    """400 ELB.8902 about `field`, saying `words`; no certificate stored."""
    before = used(api, "certificate")
    message = assert_elb_error(api.call("POST", "certificates", body), 400, "ELB.8902")["error_msg"]
    assert message.startswith(f"Invalid input for '{field}'"), message
    for word in words:
        assert word in message, message
    assert used(api, "certificate") == before
    return message


# create and show


def test_a_server_certificate_answers_with_what_it_read(alpha: Api) -> None:
    response = alpha.call("POST", "certificates", server_body(LEAF, INTERMEDIATE, ROOT, name="web", description="for www", domain="www.example.com"))
    assert response.status_code == 201, response.text
    made = response.json()["certificate"]
    assert re.fullmatch(r"[0-9a-f]{32}", made["id"])
    assert (made["name"], made["description"], made["type"], made["domain"]) == ("web", "for www", "server", "www.example.com")
    assert made["certificate"] == chain(LEAF, INTERMEDIATE, ROOT)
    assert made["common_name"] == "www.example.com" and made["subject_alternative_names"] == ["www.example.com", "*.api.example.com"]
    assert re.fullmatch(r"SHA1 Fingerprint=([0-9A-F]{2}:){19}[0-9A-F]{2}", made["fingerprint"])
    assert made["expire_time"] == LEAF.certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert made["private_key"] == MASKED and made["enc_certificate"] is None and made["enc_private_key"] is None
    assert (made["admin_state_up"], made["source"], made["scm_certificate_id"], made["enterprise_project_id"]) == (True, "", "", "0")
    assert (made["protection_status"], made["protection_reason"], made["project_id"]) == ("nonProtection", None, alpha.project_id)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", made["created_at"]) and made["updated_at"] == made["created_at"]
    assert alpha.ok("GET", f"certificates/{made['id']}")["certificate"] == made


def test_a_client_certificate_is_a_ca_bundle_without_key(alpha: Api) -> None:
    made = create(alpha, client_body(ROOT, INTERMEDIATE, name="clients"))
    assert (made["type"], made["private_key"], made["domain"], made["common_name"]) == ("client", None, None, "Certificates Test Root")
    assert made["subject_alternative_names"] == []


def test_type_defaults_to_server_and_scm_fields_are_recorded(alpha: Api) -> None:
    body = server_body(LEAF, INTERMEDIATE, scm_certificate_id="scm-1234", enterprise_project_id="0", admin_state_up=False)
    del body["certificate"]["type"]
    made = create(alpha, body)
    assert (made["type"], made["scm_certificate_id"], made["source"], made["admin_state_up"]) == ("server", "scm-1234", "scm", False)


def test_an_expired_certificate_is_taken_and_says_when_it_ended(alpha: Api) -> None:
    old = issue("old.example.com", expired=True)
    made = create(alpha, server_body(old))
    assert made["expire_time"] == old.certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_rsa_and_ecdsa_certificates(alpha: Api) -> None:
    for kind in ("rsa", "ec"):
        leaf = issue(f"{kind}.example.com", key=kind)
        assert create(alpha, server_body(leaf))["common_name"] == f"{kind}.example.com"


# refusals


OTHER = issue("other.example.com")


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"certificate": "not a certificate"}, "certificate", ("not PEM",)),
        ({"certificate": LEAF.certificate_pem + LEAF.key_pem}, "certificate", ("private key", "sealed")),
        ({"certificate": chain(LEAF, ROOT, INTERMEDIATE)}, "certificate", ("certificate 2 did not issue certificate 1",)),
        ({"certificate": chain(*[ROOT] * 12), "private_key": ROOT.key_pem}, "certificate", ("at most 11",)),
        ({"certificate": "A" * 65537}, "certificate.certificate", ("65536",)),
        ({"private_key": OTHER.key_pem}, "private_key", ("not the private key of the certificate",)),
        ({"private_key": LEAF.encrypted_key_pem()}, "private_key", ("encrypted",)),
        ({"private_key": "B" * 8193}, "certificate.private_key", ("8192",)),
        ({"private_key": None}, "private_key", ("needs its private key",)),
        ({"domain": "www.example.com, api.example.com"}, "domain", ("not a domain name",)),
        ({"domain": "a.*.example.com"}, "domain", ("'*' only as a leading '*.'",)),
        ({"domain": ",".join(f"n{number}.example.com" for number in range(101))}, "domain", ("at most 100",)),
        ({"domain": "x" * 10001}, "certificate.domain", ("10000",)),
        ({"type": "server_sm", "enc_certificate": LEAF.certificate_pem}, "type", ("SM2", "server_sm")),
        ({"enc_certificate": LEAF.certificate_pem}, "enc_certificate", ("only server_sm",)),
        ({"enc_private_key": LEAF.key_pem}, "enc_private_key", ("only server_sm",)),
        ({"type": "other"}, "certificate.type", ()),
        ({"protection_reason": "because"}, "protection_reason", ("consoleProtection",)),
        ({"source": "manual"}, "certificate.source", ()),
    ],
)
def test_a_server_certificate_that_does_not_fit_is_refused_with_the_reason(
    alpha: Api, fields: dict[str, Any], field: str, words: tuple[str, ...]
) -> None:
    body = server_body(LEAF, INTERMEDIATE)
    body["certificate"].update(fields)
    message = assert_refused(alpha, body, field, *words)
    assert "MIG" not in message  # no key or certificate text quoted back


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"certificate": chain(ROOT, LEAF)}, "certificate", ("certificate 2 is not a CA certificate",)),
        ({"private_key": ROOT.key_pem}, "private_key", ("takes no private key",)),
        ({"domain": "www.example.com"}, "domain", ("only server certificates",)),
    ],
)
def test_a_client_certificate_that_does_not_fit_is_refused_with_the_reason(
    alpha: Api, fields: dict[str, Any], field: str, words: tuple[str, ...]
) -> None:
    body = client_body(ROOT)
    body["certificate"].update(fields)
    assert_refused(alpha, body, field, *words)


def test_values_that_ask_for_nothing_are_accepted(alpha: Api) -> None:
    made = create(alpha, client_body(ROOT, private_key="", domain="", enc_certificate="", enc_private_key=None, project_id=alpha.project_id))
    assert (made["type"], made["private_key"], made["domain"]) == ("client", None, None)


def test_an_unknown_attribute_is_refused(alpha: Api) -> None:
    before = used(alpha, "certificate")
    error = assert_elb_error(alpha.call("POST", "certificates", server_body(LEAF, INTERMEDIATE, tags=[])), 400, "ELB.8902")
    assert error["error_msg"] == "Unrecognized attribute(s) 'certificate.tags'." and used(alpha, "certificate") == before


# update


def test_update_renames_and_rotates_with_a_new_chain_and_key(alpha: Api) -> None:
    made = new_server(alpha)
    path = f"certificates/{made['id']}"
    renamed = alpha.ok("PUT", path, {"certificate": {"name": "renamed", "description": "d", "domain": "www.example.com"}})["certificate"]
    assert (renamed["name"], renamed["description"], renamed["domain"], renamed["fingerprint"]) == ("renamed", "d", "www.example.com", made["fingerprint"])
    fresh = issue("www.example.com", names=["www.example.com", "next.example.com"], issuer=INTERMEDIATE, days=90)
    body = {"certificate": {"certificate": chain(fresh, INTERMEDIATE), "private_key": fresh.key_pem}}
    rotated = alpha.ok("PUT", path, body)["certificate"]
    assert rotated["certificate"] == chain(fresh, INTERMEDIATE) and rotated["subject_alternative_names"] == ["www.example.com", "next.example.com"]
    assert rotated["fingerprint"] != made["fingerprint"] and rotated["expire_time"] > made["expire_time"]
    assert rotated["name"] == "renamed" and alpha.ok("GET", path)["certificate"] == rotated


def test_update_checks_a_new_certificate_against_the_stored_key_and_the_other_way_round(alpha: Api) -> None:
    leaf = issue("key.example.com")
    made = create(alpha, server_body(leaf))
    path = f"certificates/{made['id']}"
    renewed = issue("key.example.com", key=leaf.key, days=365)  # same key, new certificate: fine alone
    assert alpha.ok("PUT", path, {"certificate": {"certificate": renewed.certificate_pem}})["certificate"]["fingerprint"] != made["fingerprint"]
    stranger = issue("key.example.com")
    before = alpha.ok("GET", path)["certificate"]
    for body in ({"certificate": stranger.certificate_pem}, {"private_key": stranger.key_pem}):
        error = assert_elb_error(alpha.call("PUT", path, {"certificate": body}), 400, "ELB.8902")
        assert "not the private key of the certificate" in error["error_msg"]
    assert alpha.ok("GET", path)["certificate"] == before


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"type": "client"}, "type", ("fixed at creation",)),
        ({"certificate": chain(LEAF, ROOT)}, "certificate", ("did not issue",)),
        ({"private_key": LEAF.encrypted_key_pem()}, "private_key", ("encrypted",)),
        ({"domain": "*"}, "domain", ("not a domain name",)),
        ({"enc_certificate": LEAF.certificate_pem}, "enc_certificate", ("only server_sm",)),
    ],
)
def test_a_refused_update_changes_nothing(alpha: Api, fields: dict[str, Any], field: str, words: tuple[str, ...]) -> None:
    made = create(alpha, server_body(LEAF, INTERMEDIATE))
    path = f"certificates/{made['id']}"
    message = assert_elb_error(alpha.call("PUT", path, {"certificate": fields}), 400, "ELB.8902")["error_msg"]
    assert message.startswith(f"Invalid input for '{field}'") and all(word in message for word in words), message
    assert alpha.ok("GET", path)["certificate"] == made


def test_a_client_certificate_takes_a_new_bundle_but_no_key(alpha: Api) -> None:
    made = create(alpha, client_body(ROOT))
    path = f"certificates/{made['id']}"
    assert alpha.ok("PUT", path, {"certificate": {"certificate": chain(INTERMEDIATE, ROOT), "type": "client"}})["certificate"]["common_name"] == (
        "Certificates Test Intermediate"
    )
    assert_elb_error(alpha.call("PUT", path, {"certificate": {"private_key": ROOT.key_pem}}), 400, "ELB.8902")
    assert_elb_error(alpha.call("PUT", path, {"certificate": {"certificate": LEAF.certificate_pem}}), 400, "ELB.8902")


def test_unknown_certificate_is_not_found(alpha: Api) -> None:
    missing = "0" * 32
    for method, body in (("GET", None), ("PUT", {"certificate": {"name": "x"}}), ("DELETE", None)):
        error = assert_elb_error(alpha.call(method, f"certificates/{missing}", body), 404, "ELB.8904")
        assert error["error_msg"] == f"certificate {missing} could not be found."


# delete


def test_delete_answers_204_and_the_certificate_is_gone(alpha: Api) -> None:
    made = new_server(alpha)
    alpha.ok("DELETE", f"certificates/{made['id']}")
    assert_elb_error(alpha.call("GET", f"certificates/{made['id']}"), 404, "ELB.8904")


def test_batch_delete_answers_each_id_once(alpha: Api, beta: Api) -> None:
    first, second, theirs = new_server(alpha), new_server(alpha), new_server(beta)
    missing = "f" * 32
    body = {"certificates": [first["id"], missing, second["id"], first["id"], theirs["id"]]}
    answer = alpha.ok("POST", "certificates/batch-delete", body, status=200)
    assert answer["certificates"] == [
        {"id": first["id"], "ret_status": "successful"},
        {"id": missing, "ret_status": "not found", "ret_code": "ELB.8904"},
        {"id": second["id"], "ret_status": "successful"},
        {"id": theirs["id"], "ret_status": "not found", "ret_code": "ELB.8904"},
    ]
    assert answer["request_id"]
    for gone in (first, second):
        assert_elb_error(alpha.call("GET", f"certificates/{gone['id']}"), 404, "ELB.8904")
    assert beta.ok("GET", f"certificates/{theirs['id']}")["certificate"]["id"] == theirs["id"]


@pytest.mark.parametrize("body", [{"certificates": []}, {"certificates": "x"}, {}, {"certificates": [""]}, {"certificate": ["x"]}])
def test_batch_delete_takes_a_list_of_ids(alpha: Api, body: dict[str, Any]) -> None:
    assert_elb_error(alpha.call("POST", "certificates/batch-delete", body), 400, "ELB.8902")


# listing


def test_list_filters_each_attribute_with_several_values(alpha: Api) -> None:
    tag = issue("filters.example.com").certificate.serial_number
    one = create(alpha, server_body(issue("one.example.com"), name=f"f{tag}-one", description="first", domain="one.example.com"))
    two = create(alpha, server_body(issue("two.example.com"), name=f"f{tag}-two", description="second", scm_certificate_id="scm-2"))
    three = create(alpha, client_body(ROOT, name=f"f{tag}-three", protection_status="consoleProtection", protection_reason="held"))
    names = f"name=f{tag}-one&name=f{tag}-two&name=f{tag}-three"

    def listed(query: str) -> list[str]:
        return ids(alpha.ok("GET", f"certificates?{names}&{query}")["certificates"])

    assert listed("") == [one["id"], two["id"], three["id"]]
    assert listed(f"id={one['id']}&id={three['id']}") == [one["id"], three["id"]]
    assert listed("description=second&description=first") == [one["id"], two["id"]]
    assert listed("type=client") == [three["id"]] and listed("type=server") == [one["id"], two["id"]]
    assert listed("domain=one.example.com") == [one["id"]]
    assert listed("common_name=two.example.com&common_name=Certificates%20Test%20Root") == [two["id"], three["id"]]
    assert listed(f"fingerprint={quote(two['fingerprint'])}") == [two["id"]]
    assert listed("scm_certificate_id=scm-2") == [two["id"]] and listed("source=scm") == [two["id"]]
    assert listed("protection_status=consoleProtection") == [three["id"]] and listed("protection_reason=held") == [three["id"]]
    assert listed("admin_state_up=true") == [one["id"], two["id"], three["id"]] and listed("admin_state_up=false") == []
    assert listed("enterprise_project_id=0") == [one["id"], two["id"], three["id"]]


def test_list_pages_forward_and_back(alpha: Api) -> None:
    tag = issue("paging.example.com").certificate.serial_number
    made = [create(alpha, client_body(ROOT, name=f"p{tag}"))["id"] for _ in range(5)]
    seen: list[str] = []
    marker = ""
    for _ in range(5):
        page = alpha.ok("GET", f"certificates?name=p{tag}&limit=2{marker}")
        seen += ids(page["certificates"])
        if "next_marker" not in page["page_info"]:
            break
        marker = f"&marker={page['page_info']['next_marker']}"
    assert seen == made
    back = alpha.ok("GET", f"certificates?name=p{tag}&limit=2&marker={made[4]}&page_reverse=true")
    assert ids(back["certificates"]) == made[2:4] and back["page_info"]["previous_marker"] == made[2]
    assert_elb_error(alpha.call("GET", "certificates?limit=2&marker=" + "0" * 32), 400, "ELB.8902")
    assert_elb_error(alpha.call("GET", "certificates?serial=1"), 400, "ELB.8902")


# the private-key echo switch


def test_echo_is_off_by_default_and_on_shows_the_key_everywhere(world: World) -> None:
    owner, neighbour = world.project(), world.project()
    shown = owner.ok("GET", "certificates/settings/private-key-echo")
    assert shown["private_key_echo"] is False and shown["request_id"]
    made = create(owner, server_body(LEAF, INTERMEDIATE))
    client = create(owner, client_body(ROOT))
    assert made["private_key"] == MASKED and client["private_key"] is None
    switched = owner.ok("POST", "certificates/settings/private-key-echo", {"private_key_echo": True})
    assert switched["private_key_echo"] is True and switched["request_id"]
    assert owner.ok("GET", "certificates/settings/private-key-echo")["private_key_echo"] is True
    assert owner.ok("GET", f"certificates/{made['id']}")["certificate"]["private_key"] == LEAF.key_pem
    listed = {one["id"]: one["private_key"] for one in owner.ok("GET", "certificates")["certificates"]}
    assert listed == {made["id"]: LEAF.key_pem, client["id"]: None}
    assert create(owner, server_body(OTHER))["private_key"] == OTHER.key_pem
    updated = owner.ok("PUT", f"certificates/{made['id']}", {"certificate": {"name": "shown"}})["certificate"]
    assert updated["private_key"] == LEAF.key_pem
    assert neighbour.ok("GET", "certificates/settings/private-key-echo")["private_key_echo"] is False
    theirs = create(neighbour, server_body(LEAF, INTERMEDIATE))
    assert theirs["private_key"] == MASKED
    owner.ok("POST", "certificates/settings/private-key-echo", {"private_key_echo": False})
    assert owner.ok("GET", f"certificates/{made['id']}")["certificate"]["private_key"] == MASKED


@pytest.mark.parametrize("body", [{}, {"private_key_echo": "true"}, {"private_key_echo": 1}, {"private_key_echo": True, "x": 1}])
def test_echo_takes_a_json_boolean(alpha: Api, body: dict[str, Any]) -> None:
    assert_elb_error(alpha.call("POST", "certificates/settings/private-key-echo", body), 400, "ELB.8902")


# quota


def test_the_certificate_quota_counts_and_refuses(world: World) -> None:
    owner = world.project(certificate=2)
    assert owner.ok("GET", "quotas")["quota"]["certificate"] == 2
    new_server(owner), create(owner, client_body(ROOT))
    assert used(owner, "certificate") == 2
    error = assert_elb_error(owner.call("POST", "certificates", client_body(ROOT)), 409, "ELB.8905")
    assert "certificate" in error["error_msg"] and used(owner, "certificate") == 2


# at rest


def test_the_private_key_is_sealed_at_rest(alpha: Api) -> None:
    made = create(alpha, server_body(LEAF, INTERMEDIATE))
    with alpha.client.app.state.db.read() as session:
        row = session.get(Certificate, made["id"])
        assert row is not None and row.private_key_sealed is not None
        body = "".join(LEAF.key_pem.splitlines()[1:-1])
        assert LEAF.key_pem not in row.private_key_sealed and body[:40] not in row.private_key_sealed
        assert row.private_key_sealed.startswith("v1:")
        everything = repr([tuple(one) for one in session.execute(select(Certificate.__table__))])
        assert body[:40] not in everything
        box = alpha.client.app.state.secret_box
        assert certificate_material(session, box, [made["id"]]) == {made["id"]: (chain(LEAF, INTERMEDIATE), LEAF.key_pem)}


def test_a_sealed_key_moved_onto_another_certificate_does_not_open(alpha: Api) -> None:
    first, second = new_server(alpha), new_server(alpha)
    db = alpha.client.app.state.db
    with db.read() as session:
        sealed = session.scalar(select(Certificate.private_key_sealed).where(Certificate.id == first["id"]))
    with db.write() as session:
        session.execute(update(Certificate).where(Certificate.id == second["id"]).values(private_key_sealed=sealed))
    with db.read() as session, pytest.raises(SealedSecretError):
        certificate_material(session, alpha.client.app.state.secret_box, [second["id"]])


def test_no_answer_or_refusal_quotes_a_private_key(alpha: Api) -> None:
    secret_body = "".join(LEAF.key_pem.splitlines()[1:-1])[:40]
    answers = [
        alpha.call("POST", "certificates", server_body(LEAF, INTERMEDIATE)).text,
        alpha.call("POST", "certificates", server_body(LEAF, INTERMEDIATE, domain="bad domain")).text,
        alpha.call("POST", "certificates", server_body(LEAF, ROOT)).text,
        alpha.call("POST", "certificates", {"certificate": {"certificate": LEAF.key_pem, "private_key": LEAF.key_pem}}).text,
        alpha.call("GET", "certificates").text,
    ]
    assert not any(secret_body in answer for answer in answers)
