"""Log tanks: a load balancer's access log is on while it has one (at most one each). The data plane
reads it from the store (store/dataplane.py) and has HAProxy log to the file the agent writes
(dataplane/access_log_receiver.py)."""

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import conflict
from elbd.ids import new_id
from elbd.schemas.logtanks import LogtankCreate, LogtankUpdate
from elbd.service import lookups
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.store.db import mark_changed
from elbd.store.models import Logtank

FILTER_COLUMNS = {
    "id": Logtank.id,
    "loadbalancer_id": Logtank.loadbalancer_id,
    "log_group_id": Logtank.log_group_id,
    "log_topic_id": Logtank.log_topic_id,
}


def create_logtank(session: Session, *, project_id: str, option: LogtankCreate) -> Logtank:
    lb = lookups.load_balancer(session, project_id, option.loadbalancer_id)
    existing = session.scalars(select(Logtank.id).where(Logtank.loadbalancer_id == lb.id)).first()
    if existing is not None:
        raise conflict(f"Load balancer {lb.id} already has log tank {existing}; update or delete it.")
    logtank = Logtank(
        id=new_id(),
        project_id=project_id,
        loadbalancer_id=lb.id,
        log_group_id=option.log_group_id,
        log_topic_id=option.log_topic_id,
        created_at=utcnow(),
    )
    session.add(logtank)
    session.flush()
    mark_changed(session, lb.id)
    return logtank


def list_logtanks(session: Session, *, project_id: str, filters: dict, page: PageRequest) -> Page[Logtank]:
    query: Select = select(Logtank).where(Logtank.project_id == project_id)
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), Logtank, page)


def update_logtank(session: Session, *, project_id: str, logtank_id: str, option: LogtankUpdate) -> Logtank:
    """The names only: logging stays on, to the same file."""
    logtank = lookups.logtank(session, project_id, logtank_id)
    if option.log_group_id is not None:
        logtank.log_group_id = option.log_group_id
    if option.log_topic_id is not None:
        logtank.log_topic_id = option.log_topic_id
    return logtank


def delete_logtank(session: Session, *, project_id: str, logtank_id: str) -> str:
    """The id of the load balancer that no longer logs."""
    logtank = lookups.logtank(session, project_id, logtank_id)
    session.delete(logtank)
    mark_changed(session, logtank.loadbalancer_id)
    return logtank.loadbalancer_id


def delete_load_balancers_logtank(session: Session, load_balancer_id: str) -> None:
    """With the load balancer it logs (its files stay under the data directory)."""
    session.execute(delete(Logtank).where(Logtank.loadbalancer_id == load_balancer_id).execution_options(synchronize_session="fetch"))
