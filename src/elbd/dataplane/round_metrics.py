"""What the agent counts of its own work: rounds, what each applied (start, reload, converge, retire,
member changes), how long that took, and the runtime-API commands sent. Read by `elbd serve`'s metrics
endpoint through the agent's pipe (agent.py: the agent sends a snapshot every second)."""

from elbd.dataplane.plan import Converge, Reload, Retire, Start
from elbd.metrics.registry import Metric

ROUNDS = Metric("elbd_dataplane_reconciles_total", "counter", "Whole rounds of a load balancer (plan and apply), by action and outcome.")
ROUND_TIME = Metric("elbd_dataplane_reconcile_duration_seconds", "histogram", "Time of a whole round of a load balancer, by action.")
APPLIES = Metric("elbd_dataplane_member_applies_total", "counter", "Rounds of member changes sent through the runtime API, by outcome.")
APPLY_TIME = Metric("elbd_dataplane_member_apply_duration_seconds", "histogram", "Time of a round of member changes through the runtime API.")
RUNTIME_COMMANDS = Metric("elbd_dataplane_runtime_commands_total", "counter", "Commands sent to HAProxy's runtime API to change what runs (no reload).")


def action_name(action: object) -> str:
    match action:
        case Start():
            return "start"
        case Reload():
            return "reload"
        case Converge():
            return "converge"
        case Retire():
            return "retire"
    return "none"
