"""The page_info of every list answer."""

from typing import Any

from elbd.api.shapes.base import PageInfo
from elbd.service.paging import Page


def page_info(page: Page[Any]) -> PageInfo:
    info: PageInfo = {"current_count": len(page.items)}
    if page.previous_marker is not None:
        info["previous_marker"] = page.previous_marker
    if page.next_marker is not None:
        info["next_marker"] = page.next_marker
    return info
