from elbd.api.shapes.logtanks import Logtank
from elbd.store.models import Logtank as LogtankRow


def logtank_view(logtank: LogtankRow) -> Logtank:
    return {
        "id": logtank.id,
        "project_id": logtank.project_id,
        "loadbalancer_id": logtank.loadbalancer_id,
        "log_group_id": logtank.log_group_id,
        "log_topic_id": logtank.log_topic_id,
    }
