from elbd.api.shapes.flavors import Flavor, FlavorInfo
from elbd.flavors import Flavor as CatalogueFlavor
from elbd.service.flavors import CATEGORY, PUBLIC_BORDER_GROUP, SHARED, SOLD_OUT


def flavor_view(flavor: CatalogueFlavor, project_id: str) -> Flavor:
    info: FlavorInfo = {"connection": flavor.connection, "cps": flavor.cps}
    if flavor.qps is not None:
        info["qps"] = flavor.qps
    return {
        "id": flavor.id,
        "info": info,
        "name": flavor.name,
        "shared": SHARED,
        "project_id": project_id,
        "type": flavor.type,
        "flavor_sold_out": SOLD_OUT,
        "public_border_group": PUBLIC_BORDER_GROUP,
        "category": CATEGORY,
    }
