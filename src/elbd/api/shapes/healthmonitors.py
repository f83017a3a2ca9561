from elbd.api.shapes.base import IdRef, PageInfo, Shape


class HealthMonitor(Shape):
    id: str
    name: str
    project_id: str
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
    pools: list[IdRef]
    created_at: str
    updated_at: str


class HealthMonitorReply(Shape):
    healthmonitor: HealthMonitor
    request_id: str


class HealthMonitorPage(Shape):
    healthmonitors: list[HealthMonitor]
    page_info: PageInfo
    request_id: str
