"""The API tests' fixtures: one application per test module with projects in it (world.py), and the
member tests' shared load balancer (member_helpers.py). Registered here so modules need not import them."""

from tests.api.member_helpers import site, topology  # noqa: F401
from tests.api.world import alpha, api, beta, other_api, world  # noqa: F401
