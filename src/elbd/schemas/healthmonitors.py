from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from elbd.schemas.base import Name, ProjectIdField, ResourceId, Strict
from elbd.schemas.unserved import HEALTH_MONITORS, note

MonitorType = Literal["TCP", "UDP_CONNECT", "HTTP", "HTTPS", "GRPC", "TLS"]
UrlPath = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^/[A-Za-z0-9\-/.%?#&_;~!()*\[\]@$^:',+]*$")]
DomainName = Annotated[str, StringConstraints(max_length=100, pattern=r"^([A-Za-z0-9][A-Za-z0-9.\-]*)?$")]
ExpectedCodes = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class _MonitorSettings(Strict):
    name: Name | None = None
    admin_state_up: bool | None = None
    type: MonitorType | None = Field(None, description=note(HEALTH_MONITORS, "type"))
    delay: int | None = Field(None, ge=1, le=50)
    timeout: int | None = Field(None, ge=1, le=50)
    max_retries: int | None = Field(None, ge=1, le=10)
    max_retries_down: int | None = Field(None, ge=1, le=10)
    monitor_port: int | None = Field(None, ge=1, le=65535)
    url_path: UrlPath | None = None
    http_method: Literal["GET", "HEAD", "POST"] | None = None
    domain_name: DomainName | None = None
    expected_codes: ExpectedCodes | None = None


class HealthMonitorCreate(_MonitorSettings):
    pool_id: ResourceId
    type: MonitorType = Field(description=note(HEALTH_MONITORS, "type"))
    delay: int = Field(ge=1, le=50)
    timeout: int = Field(ge=1, le=50)
    max_retries: int = Field(ge=1, le=10)
    project_id: ProjectIdField | None = None


class HealthMonitorCreateRequest(Strict):
    healthmonitor: HealthMonitorCreate


class HealthMonitorUpdate(_MonitorSettings):
    pass


class HealthMonitorUpdateRequest(Strict):
    healthmonitor: HealthMonitorUpdate
