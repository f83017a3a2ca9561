"""elbd's OpenAPI document, read at collection time: schemathesis makes one test per operation from it
(its fixture-based loader does not run under this pytest)."""

import tempfile
from pathlib import Path
from typing import Any

from elbd.api.app import create_app
from elbd.config import load_settings


def openapi_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(load_settings(Path(scratch) / "elbd-data"))
        try:
            return app.openapi()
        finally:
            app.state.db.dispose()
