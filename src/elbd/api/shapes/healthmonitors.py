from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, PageInfo, shape


@shape
class MonitorSettings(TypedDict):
    """What a health check is; an active/standby pool shows its own so, inline."""

    id: str
    name: str
    admin_state_up: bool
    type: str
    delay: int
    timeout: int
    max_retries: int
    max_retries_down: int
    monitor_port: int | None
    url_path: str
    http_method: str
    domain_name: str | None
    expected_codes: str


@shape
class HealthMonitor(MonitorSettings):
    project_id: str
    pools: list[IdRef]
    created_at: str
    updated_at: str


@shape
class HealthMonitorReply(TypedDict):
    healthmonitor: HealthMonitor
    request_id: str


@shape
class HealthMonitorPage(TypedDict):
    healthmonitors: list[HealthMonitor]
    page_info: PageInfo
    request_id: str
