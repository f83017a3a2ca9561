"""Finding a project's resource by id; another project's resource is as absent as a missing one (404)."""

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from elbd.errors import not_found
from elbd.store.models import (
    Certificate,
    HealthMonitor,
    Instance,
    IpGroup,
    Job,
    L7Policy,
    L7Rule,
    Listener,
    LoadBalancer,
    Logtank,
    Member,
    MemberCheckJob,
    Pool,
    SecurityPolicy,
    Subnet,
    Vpc,
)

T = TypeVar("T")


def _get(session: Session, model: type[T], kind: str, project_id: str, resource_id: str, for_update: bool = False) -> T:
    row: Any = session.get(model, resource_id, with_for_update=for_update or None)
    if row is None or row.project_id != project_id:
        raise not_found(kind, resource_id)
    return row


def load_balancer(session: Session, project_id: str, load_balancer_id: str) -> LoadBalancer:
    return _get(session, LoadBalancer, "loadbalancer", project_id, load_balancer_id)


def listener(session: Session, project_id: str, listener_id: str) -> Listener:
    return _get(session, Listener, "listener", project_id, listener_id)


def pool(session: Session, project_id: str, pool_id: str) -> Pool:
    return _get(session, Pool, "pool", project_id, pool_id)


def health_monitor(session: Session, project_id: str, monitor_id: str) -> HealthMonitor:
    return _get(session, HealthMonitor, "healthmonitor", project_id, monitor_id)


def member(session: Session, project_id: str, pool_id: str, member_id: str) -> Member:
    found = _get(session, Member, "member", project_id, member_id)
    if found.pool_id != pool_id:
        raise not_found("member", member_id)
    return found


def any_member(session: Session, project_id: str, member_id: str) -> Member:
    """A member of the project, whatever its pool."""
    return _get(session, Member, "member", project_id, member_id)


def logtank(session: Session, project_id: str, logtank_id: str) -> Logtank:
    return _get(session, Logtank, "logtank", project_id, logtank_id)


def security_policy(session: Session, project_id: str, policy_id: str) -> SecurityPolicy:
    return _get(session, SecurityPolicy, "security_policy", project_id, policy_id)


def vpc(session: Session, project_id: str, vpc_id: str) -> Vpc:
    return _get(session, Vpc, "vpc", project_id, vpc_id)


def subnet(session: Session, project_id: str, subnet_id: str) -> Subnet:
    """By its id, which is also its neutron_network_id."""
    return _get(session, Subnet, "subnet", project_id, subnet_id)


def instance(session: Session, project_id: str, instance_id: str) -> Instance:
    return _get(session, Instance, "server", project_id, instance_id)  # "server": ECS's word, in the 404's message


def certificate(session: Session, project_id: str, certificate_id: str) -> Certificate:
    return _get(session, Certificate, "certificate", project_id, certificate_id)


def l7policy(session: Session, project_id: str, policy_id: str) -> L7Policy:
    return _get(session, L7Policy, "l7policy", project_id, policy_id)


def l7rule(session: Session, project_id: str, policy_id: str, rule_id: str) -> L7Rule:
    """A rule of this policy; another policy's rule is not found here."""
    found = _get(session, L7Rule, "l7rule", project_id, rule_id)
    if found.l7policy_id != policy_id:
        raise not_found("l7rule", rule_id)
    return found


def member_check_job(session: Session, project_id: str, job_id: str) -> MemberCheckJob:
    return _get(session, MemberCheckJob, "job", project_id, job_id)


def ip_group(session: Session, project_id: str, group_id: str) -> IpGroup:
    return _get(session, IpGroup, "ipgroup", project_id, group_id)


def job(session: Session, project_id: str, job_id: str) -> Job:
    return _get(session, Job, "job", project_id, job_id)
