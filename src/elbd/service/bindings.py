"""How backend server groups join load balancers and listeners: the listener-to-pool protocol table,
and the VPC and IP-as-a-backend rules that must hold when they do."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.errors import invalid
from elbd.service.protocols import POOLS_FOR_LISTENER
from elbd.store.db import mark_changed
from elbd.store.models import Listener, LoadBalancer, Member, Pool


def attach_pool_to_load_balancer(session: Session, pool: Pool, lb: LoadBalancer) -> None:
    if pool.loadbalancer_id not in (None, lb.id):
        raise invalid(f"Backend server group {pool.id} belongs to load balancer {pool.loadbalancer_id}, not {lb.id}.")
    if pool.vpc_id and pool.vpc_id != lb.vpc_id:
        raise invalid(f"Backend server group {pool.id} is in VPC {pool.vpc_id}; load balancer {lb.id} is in {lb.vpc_id}.")
    if not lb.ip_target_enable and session.scalars(
        select(Member.id).where(Member.pool_id == pool.id, Member.member_type == "ip")
    ).first():
        raise invalid(
            f"Backend server group {pool.id} has IP members; load balancer {lb.id} must have ip_target_enable true.",
            code="ELB.8939",
        )
    pool.loadbalancer_id = lb.id
    pool.vpc_id = lb.vpc_id
    mark_changed(session, lb.id)


def check_pool_fits_listener(pool: Pool, listener: Listener) -> None:
    """The listener-to-pool protocol table, the TLS/TCP ip_version rule and GRPC's need for HTTP/2."""
    allowed = POOLS_FOR_LISTENER[listener.protocol]
    if pool.protocol not in allowed:
        raise invalid(
            f"A {pool.protocol} backend server group cannot serve a {listener.protocol} listener "
            f"(it takes {', '.join(allowed)})."
        )
    if listener.protocol == "TLS" and pool.protocol == "TCP" and pool.ip_version != "v4":
        raise invalid("A TCP backend server group serves a TLS listener only with ip_version v4.")
    if pool.protocol == "GRPC" and not listener.http2_enable:
        raise invalid("A GRPC backend server group needs a listener with http2_enable true.")


def check_member_retry_agrees(session: Session, pool: Pool, listener: Listener) -> None:
    """HAProxy retries a failed connection per backend (pool), not per listener: the listeners a pool
    serves must agree on enable_member_retry, or one of them would get what it did not ask for."""
    other = session.scalars(
        select(Listener.id).where(
            Listener.default_pool_id == pool.id, Listener.id != listener.id, Listener.enable_member_retry != listener.enable_member_retry
        )
    ).first()
    if other is not None:
        raise invalid(
            f"Invalid input for 'enable_member_retry': backend server group {pool.id} also serves listener {other}, "
            f"whose enable_member_retry is {str(not listener.enable_member_retry).lower()}; the listeners of one "
            "backend server group retry alike in elbd."
        )


def bind_pool_to_listener(session: Session, pool: Pool, listener: Listener) -> None:
    check_pool_fits_listener(pool, listener)
    check_member_retry_agrees(session, pool, listener)
    lb = session.get(LoadBalancer, listener.loadbalancer_id)
    assert lb is not None
    attach_pool_to_load_balancer(session, pool, lb)
    listener.default_pool_id = pool.id
    mark_changed(session, lb.id)
