from elbd.api.shapes.health_timeline import HealthTransition
from elbd.api.shapes.members import Reason
from elbd.clock import format_time
from elbd.store.models import MemberHealthEvent


def transition_view(event: MemberHealthEvent) -> HealthTransition:
    reason: Reason | None = None
    if event.reason_code is not None:
        reason = {
            "reason_code": event.reason_code,
            "expected_response": event.expected_response,
            "healthcheck_response": event.healthcheck_response,
        }
    return {"time": format_time(event.at), "from_status": event.from_status, "to_status": event.to_status, "reason": reason}
