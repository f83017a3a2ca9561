"""The shared application of a test module runs on the pass's store: on the PostgreSQL pass
(ELBD_TEST_DATABASE=postgresql) a database of the module's own, not SQLite beside its data directory,
which it once fell back to because it starts before each test's fixtures (tests/conftest.py)."""

from tests import postgres
from tests.api.world import World


def test_the_modules_world_runs_on_the_pass_store(world: World) -> None:
    url = world.client.app.state.db.url
    assert url.startswith("postgresql") if postgres.ON_POSTGRES else url.startswith("sqlite")
