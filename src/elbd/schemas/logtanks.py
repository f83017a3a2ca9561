from typing import Annotated

from pydantic import StringConstraints

from elbd.schemas.base import ResourceId, Strict

# The cloud's log group and topic ids name where its log service keeps a load balancer's access log;
# elbd keeps them as given (they name the log, nothing reads them): ids, never text for a config file.
LogId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,36}$")]


class LogtankCreate(Strict):
    loadbalancer_id: ResourceId
    log_group_id: LogId
    log_topic_id: LogId


class LogtankCreateRequest(Strict):
    logtank: LogtankCreate


class LogtankUpdate(Strict):
    log_group_id: LogId | None = None
    log_topic_id: LogId | None = None


class LogtankUpdateRequest(Strict):
    logtank: LogtankUpdate
