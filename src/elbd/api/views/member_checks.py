"""A member check job as the SDK's MemberCheckJobInfo. Only `config` is ever checked (elbd has no security
groups or network ACLs): `acl` and `security_group` stay null. A failed check is one item whose
`reason_template` is the reason code (RESPONSE_MISMATCH's params: the expected codes and the one seen)."""

from datetime import datetime

from elbd.api.shapes.member_checks import MemberCheckJobInfo, MemberCheckJobResultGroup, MemberCheckJobResultItem
from elbd.clock import format_time
from elbd.service.member_checks import status_of
from elbd.store.models import MemberCheckJob

ITEM_NAME = "health_check"
_SENTENCES = {
    "CONNECT_TIMEOUT": "connecting to the member timed out",
    "CONNECT_REFUSED": "the member refused the connection",
    "CONNECT_FAILED": "connecting to the member failed",
    "CONNECT_INTERRUPT": "the member reset the connection before answering",
    "SSL_HANDSHAKE_ERROR": "the TLS handshake with the member failed",
    "SEND_REQUEST_FAILED": "sending the check's request failed",
    "SEND_REQUEST_TIMEOUT": "sending the check's request timed out",
    "RECV_RESPONSE_FAILED": "the member closed the connection before a whole response",
    "RECV_RESPONSE_TIMEOUT": "the member's response did not come within the monitor's timeout",
    "RESPONSE_FORMAT_ERROR": "the member's response is not HTTP",
}


def _item(job: MemberCheckJob, reason_code: str) -> MemberCheckJobResultItem:
    if reason_code == "RESPONSE_MISMATCH":
        params = [job.expected_response or "", job.healthcheck_response or ""]
        sentence = f"the member answered {params[1]}, not one of {params[0]}"
    else:
        params, sentence = [], _SENTENCES.get(reason_code, reason_code)
    return {
        "name": ITEM_NAME,
        "reason": f"{reason_code}: {sentence}.",
        "severity": "Major",
        "subject": "config",
        "job_id": job.id,
        "reason_template": reason_code,
        "reason_params": params,
    }


def _config(job: MemberCheckJob, status: str) -> MemberCheckJobResultGroup | None:
    if status == "processing":
        return None
    if status == "failed":
        return {"check_result": False, "check_items": [], "check_status": "failed"}
    items = [] if job.reason_code is None else [_item(job, job.reason_code)]
    return {"check_result": job.reason_code is None, "check_items": items, "check_status": "processed"}


def member_check_job_view(job: MemberCheckJob, now: datetime) -> MemberCheckJobInfo:
    status = status_of(job, now)
    config = _config(job, status)
    return {
        "status": status,
        "result": None if config is None else {"config": config, "acl": None, "security_group": None},
        "created_at": format_time(job.created_at),
        "updated_at": format_time(job.updated_at),
        "job_id": job.id,
        "check_item_total_num": 1,
        "check_item_finished_num": 1 if status == "processed" else 0,
        "listener_id": job.listener_id,
        "member_id": job.member_id,
    }
