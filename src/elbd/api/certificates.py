"""/v3/{project_id}/elb/certificates, its batch delete and the project's private-key echo switch."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from elbd.api.convergence import wait_for_renewal
from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.certificates import CertificatePage, CertificateReply, CertificatesDeletedReply, PrivateKeyEchoReply
from elbd.api.views.certificates import certificate_view, deleted_view
from elbd.api.views.pages import page_info
from elbd.schemas.certificates import (
    CertificateCreateRequest,
    CertificatesBatchDeleteRequest,
    CertificateUpdateRequest,
    PrivateKeyEchoRequest,
)
from elbd.service import certificates, lookups
from elbd.service.identity import Principal
from elbd.store.certificates import load_balancers_using
from elbd.store.db import Database
from elbd.store.models import Certificate
from elbd.store.secret_box import SecretBox

router = APIRouter(tags=["certificates"])
COLLECTION = "/v3/{project_id}/elb/certificates"
_list_query = list_query({name: bool if name == "admin_state_up" else list[str] for name in certificates.FILTER_COLUMNS})


def _secret_box(request: Request) -> SecretBox:
    return request.app.state.secret_box


def _shown(request: Request, session: Session, certificate: Certificate) -> CertificateReply:
    """The answer about one certificate, its private key shown as the project's echo switch says."""
    shown = certificates.private_keys_shown(session, _secret_box(request), certificate.project_id, [certificate])
    return {"certificate": certificate_view(certificate, shown[certificate.id]), "request_id": request_id_of(request)}


@router.get(f"{COLLECTION}/settings/private-key-echo", response_model=PrivateKeyEchoReply)
def show_private_key_echo(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        echo = certificates.private_key_echo(session, who.project_id)
    answer: PrivateKeyEchoReply = {"private_key_echo": echo, "request_id": request_id_of(request)}
    return reply(answer)


@router.post(f"{COLLECTION}/settings/private-key-echo", status_code=201, response_model=PrivateKeyEchoReply)
def set_private_key_echo(
    request: Request, body: PrivateKeyEchoRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        echo = certificates.set_private_key_echo(session, project_id=who.project_id, on=body.private_key_echo)
    answer: PrivateKeyEchoReply = {"private_key_echo": echo, "request_id": request_id_of(request)}
    return reply(answer, 201)


@router.post(f"{COLLECTION}/batch-delete", response_model=CertificatesDeletedReply)
def batch_delete_certificates(
    request: Request, body: CertificatesBatchDeleteRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        results = certificates.delete_certificates(session, project_id=who.project_id, certificate_ids=body.certificates)
    answer: CertificatesDeletedReply = {
        "certificates": [deleted_view(certificate_id, status) for certificate_id, status in results],
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.post(COLLECTION, status_code=201, response_model=CertificateReply)
def create_certificate(
    request: Request, body: CertificateCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        certificate = certificates.create_certificate(session, project_id=who.project_id, option=body.certificate, secret_box=_secret_box(request))
        answer = _shown(request, session, certificate)
    return reply(answer, 201)


@router.get(COLLECTION, response_model=CertificatePage)
def list_certificates(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = certificates.list_certificates(session, project_id=who.project_id, filters=query.filters, page=query.page)
        shown = certificates.private_keys_shown(session, _secret_box(request), who.project_id, page.items)
    answer: CertificatePage = {
        "certificates": [certificate_view(certificate, shown[certificate.id]) for certificate in page.items],
        "page_info": page_info(page),
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get(COLLECTION + "/{certificate_id}", response_model=CertificateReply)
def show_certificate(request: Request, certificate_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        answer = _shown(request, session, lookups.certificate(session, who.project_id, certificate_id))
    return reply(answer)


@router.put(COLLECTION + "/{certificate_id}", response_model=CertificateReply)
def update_certificate(
    request: Request, certificate_id: str, body: CertificateUpdateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        certificate = certificates.update_certificate(
            session, project_id=who.project_id, certificate_id=certificate_id, option=body.certificate, secret_box=_secret_box(request)
        )
        answer = _shown(request, session, certificate)
        renewed = body.certificate.certificate is not None or body.certificate.private_key is not None or body.certificate.domain is not None
        presenting = load_balancers_using(session, certificate.id) if renewed else []
    wait_for_renewal(request, presenting, certificate.id)
    return reply(answer)


@router.delete(COLLECTION + "/{certificate_id}", status_code=204)
def delete_certificate(certificate_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        certificates.delete_certificate(session, project_id=who.project_id, certificate_id=certificate_id)
    return no_content()
