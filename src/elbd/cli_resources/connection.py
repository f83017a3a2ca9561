"""Where the resource CLI finds elbd and its credentials.

A config file (`--config FILE`, else $ELBD_CONFIG, else ~/.config/elbd/credentials.json when it exists)
holds one JSON object: what `elbd project create` prints (project_id, access_key, secret_key, ...) with,
optionally, `url`; or `token` instead of the keys. The environment overrides it key by key: ELBD_URL,
ELBD_PROJECT_ID, ELBD_TOKEN, ELBD_ACCESS_KEY, ELBD_SECRET_KEY. A token wins over AK/SK when both are
given."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:9876"
DEFAULT_CONFIG = Path("~/.config/elbd/credentials.json")
_ENVIRONMENT = {
    "url": "ELBD_URL",
    "project_id": "ELBD_PROJECT_ID",
    "token": "ELBD_TOKEN",
    "access_key": "ELBD_ACCESS_KEY",
    "secret_key": "ELBD_SECRET_KEY",
}


class ConnectionUnusable(Exception):
    """The credentials are missing or the config file cannot be read: the message says which."""


@dataclass(frozen=True)
class Connection:
    url: str
    project_id: str
    token: str | None = None
    access_key: str | None = None
    secret_key: str | None = None


def config_path(given: Path | None, environ: Mapping[str, str]) -> Path | None:
    if given is not None:
        return given
    if environ.get("ELBD_CONFIG"):
        return Path(environ["ELBD_CONFIG"])
    default = DEFAULT_CONFIG.expanduser()
    return default if default.exists() else None


def read_config(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ConnectionUnusable(f"cannot read the config file {path}: {error}") from None
    if not isinstance(loaded, dict):
        raise ConnectionUnusable(f"the config file {path} holds no JSON object")
    return {key: value for key, value in loaded.items() if isinstance(value, str)}


def connection_from(config: Mapping[str, str], environ: Mapping[str, str]) -> Connection:
    values = {key: environ.get(variable) or config.get(key) for key, variable in _ENVIRONMENT.items()}
    if not values["project_id"]:
        raise ConnectionUnusable("no project: set ELBD_PROJECT_ID or give a config file (the JSON `elbd project create` prints)")
    if values["token"]:
        return Connection((values["url"] or DEFAULT_URL).rstrip("/"), values["project_id"], token=values["token"])
    if not (values["access_key"] and values["secret_key"]):
        raise ConnectionUnusable("no credentials: set ELBD_TOKEN, or ELBD_ACCESS_KEY and ELBD_SECRET_KEY, or give a config file")
    return Connection((values["url"] or DEFAULT_URL).rstrip("/"), values["project_id"], access_key=values["access_key"], secret_key=values["secret_key"])
