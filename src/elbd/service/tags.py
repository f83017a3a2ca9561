"""Tags of load balancers and listeners: at most 20 on one, each key once. Tags change no traffic."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.errors import invalid
from elbd.schemas.loadbalancers import Tag
from elbd.schemas.tags import MAX_TAGS, TagAction
from elbd.store.models import Listener, LoadBalancer


def checked(tags: Sequence[Tag], field: str = "tags") -> list[dict[str, str]]:
    """The tags as stored, refused when a key comes twice or there are more than MAX_TAGS."""
    keys = [tag.key for tag in tags]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise invalid(f"Invalid input for '{field}': the key {repeated[0]!r} is given more than once.")
    if len(tags) > MAX_TAGS:
        raise invalid(f"Invalid input for '{field}': a resource has at most {MAX_TAGS} tags.")
    return [{"key": tag.key, "value": tag.value} for tag in tags]


def changed(stored: Iterable[dict[str, Any]], change: TagAction) -> list[dict[str, str]]:
    """The tags after `change`."""
    checked(change.tags)
    tags = {tag["key"]: tag["value"] for tag in stored}
    for tag in change.tags:
        if change.action == "create":
            tags[tag.key] = tag.value
        elif tag.key in tags and tag.value in ("", tags[tag.key]):
            del tags[tag.key]
    if len(tags) > MAX_TAGS:
        raise invalid(f"Invalid input for 'tags': a resource has at most {MAX_TAGS} tags; this one would have {len(tags)}.")
    return [{"key": key, "value": value} for key, value in tags.items()]


def change_tags(resource: LoadBalancer | Listener, change: TagAction) -> None:
    resource.tags = changed(resource.tags, change)


def project_tags(session: Session, model: type[LoadBalancer] | type[Listener], project_id: str) -> list[dict[str, Any]]:
    """Every key the project's resources of `model` carry, with its distinct values, in first-seen order."""
    values: dict[str, list[str]] = {}
    for tags in session.scalars(select(model.tags).where(model.project_id == project_id).order_by(model.created_at, model.id)):
        for tag in tags:
            seen = values.setdefault(tag["key"], [])
            if tag["value"] not in seen:
                seen.append(tag["value"])
    return [{"key": key, "values": found} for key, found in values.items()]
