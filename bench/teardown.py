"""Removing what a part created, so the next part measures an elbd without it: members in batches,
then pools, listeners and the load balancer (elbd refuses to delete a non-empty parent)."""

from bench.cloud import Cloud

PAGE = 2000
BATCH = 200


async def empty_pool(cloud: Cloud, pool_id: str) -> None:
    while True:
        page = await cloud.ok("GET", f"pools/{pool_id}/members?limit={PAGE}")
        ids = [member["id"] for member in page["members"]]
        if not ids:
            return
        for start in range(0, len(ids), BATCH):
            body = {"members": [{"id": one} for one in ids[start:start + BATCH]]}
            await cloud.ok("POST", f"pools/{pool_id}/members/batch-delete", body, status=200)


async def remove_load_balancer(cloud: Cloud, lb_id: str) -> None:
    for pool in (await cloud.ok("GET", f"pools?loadbalancer_id={lb_id}"))["pools"]:
        await empty_pool(cloud, pool["id"])
        if pool.get("healthmonitor_id"):
            await cloud.ok("DELETE", f"healthmonitors/{pool['healthmonitor_id']}")
        await cloud.ok("DELETE", f"pools/{pool['id']}")
    for listener in (await cloud.ok("GET", f"listeners?loadbalancer_id={lb_id}"))["listeners"]:
        await cloud.ok("DELETE", f"listeners/{listener['id']}")
    await cloud.ok("DELETE", f"loadbalancers/{lb_id}")
