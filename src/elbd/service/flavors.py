"""Listing the flavor catalogue (elbd/flavors.py) with the API's filters and marker paging. Pure: the
catalogue is fixed, so nothing is read from the store."""

from typing import Any

from elbd import flavors
from elbd.errors import invalid, not_found
from elbd.flavors import Flavor
from elbd.service.paging import Page, PageRequest

SHARED = True  # every flavor is the host's, for every project
PUBLIC_BORDER_GROUP = "center"
CATEGORY = 0  # the center's availability zones (no edge zones)
SOLD_OUT = False


def _matches(flavor: Flavor, filters: dict[str, Any]) -> bool:
    facts: dict[str, Any] = {
        "id": flavor.id, "name": flavor.name, "type": flavor.type, "shared": SHARED, "public_border_group": PUBLIC_BORDER_GROUP,
        "category": CATEGORY, "flavor_sold_out": SOLD_OUT,
    }
    for name, wanted in filters.items():
        if name not in facts:
            continue  # list_all: every flavor is listed anyway
        if (facts[name] not in wanted) if isinstance(wanted, list) else (facts[name] != wanted):
            return False
    return True


def list_flavors(filters: dict[str, Any], page: PageRequest) -> Page[Flavor]:
    """The catalogue's flavors that match, in the catalogue's order, one page of them."""
    listed = [flavor for flavor in flavors.CATALOGUE if _matches(flavor, filters)]
    if page.marker is not None:
        ids = [flavor.id for flavor in listed]
        if page.marker not in ids:
            raise invalid(f"Invalid input for 'marker': {page.marker} is not the id of a listed flavor.")
        at = ids.index(page.marker)
        listed = listed[:at] if page.page_reverse else listed[at + 1 :]
    if page.page_reverse:
        items = listed[-page.limit :] if page.limit else []
        more = len(listed) > len(items)
    else:
        items, more = listed[: page.limit], len(listed) > page.limit
    if not items:
        return Page([])
    return Page(items, items[0].id, items[-1].id if more or page.page_reverse else None)


def show_flavor(flavor_id: str) -> Flavor:
    found = flavors.flavor(flavor_id)
    if found is None:
        raise not_found("flavor", flavor_id)
    return found
