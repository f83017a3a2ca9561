from elbd.api.shapes.healthmonitors import HealthMonitor, MonitorSettings
from elbd.clock import format_time
from elbd.store.models import HealthMonitor as HealthMonitorRow


def monitor_settings_view(monitor: HealthMonitorRow) -> MonitorSettings:
    return {
        "id": monitor.id,
        "name": monitor.name,
        "admin_state_up": monitor.admin_state_up,
        "type": monitor.type,
        "delay": monitor.delay,
        "timeout": monitor.timeout,
        "max_retries": monitor.max_retries,
        "max_retries_down": monitor.max_retries_down,
        "monitor_port": monitor.monitor_port,
        "url_path": monitor.url_path,
        "http_method": monitor.http_method,
        "domain_name": monitor.domain_name,
        "expected_codes": monitor.expected_codes,
    }


def health_monitor_view(monitor: HealthMonitorRow) -> HealthMonitor:
    return {
        **monitor_settings_view(monitor),
        "project_id": monitor.project_id,
        "pools": [{"id": monitor.pool_id}],
        "created_at": format_time(monitor.created_at),
        "updated_at": format_time(monitor.updated_at),
    }
