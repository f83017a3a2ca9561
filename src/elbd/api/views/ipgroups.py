from elbd.api.shapes.ipgroups import IpGroup
from elbd.clock import format_time
from elbd.store.models import IpGroup as IpGroupRow


def ip_group_view(group: IpGroupRow, listeners: dict[str, list[str]]) -> IpGroup:
    """`listeners`: the ids of the listeners using each group, by group id."""
    return {
        "id": group.id,
        "project_id": group.project_id,
        "name": group.name,
        "description": group.description,
        "ip_list": [{"ip": entry["ip"], "description": entry["description"]} for entry in group.ip_list],
        "listeners": [{"id": listener_id} for listener_id in listeners.get(group.id, [])],
        "enterprise_project_id": "0",
        "created_at": format_time(group.created_at),
        "updated_at": format_time(group.updated_at),
    }
