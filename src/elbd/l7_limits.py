"""How many rules a forwarding policy holds and how many pools it redirects to: the API reference's
limits, which the request bodies and the rules check and the quota answer shows (kept apart from the
schemas so that `elbd quota set` builds no request models)."""

MAX_RULES = 10  # rules of a forwarding policy, each condition counted
MAX_POOLS = 5  # a policy's redirect_pools_config
