"""A project's view of elbd over HTTP: token or AK/SK calls, and builders for the resources a member
needs. One `Cloud` is one keep-alive connection; `clone()` gives another for concurrent clients."""

import json
from dataclasses import dataclass
from typing import Any

from bench.httpclient import Connection, Response
from bench.signing import signed_headers
from elbd.service.identity import ProjectCredentials


class ApiError(Exception):
    pass


def token_body(credentials: ProjectCredentials) -> dict[str, Any]:
    user = {"name": credentials.user_name, "password": credentials.password, "domain": {"name": credentials.domain_name}}
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}, "scope": {"project": {"id": credentials.project_id}}}}


@dataclass
class Cloud:
    host: str
    port: int
    credentials: ProjectCredentials
    token: str = ""
    auth: str = "token"  # or "aksk"

    def __post_init__(self) -> None:
        self.connection = Connection(self.host, self.port)

    def clone(self, auth: str | None = None) -> "Cloud":
        return Cloud(self.host, self.port, self.credentials, self.token, auth or self.auth)

    async def close(self) -> None:
        await self.connection.close()

    async def login(self) -> None:
        body = json.dumps(token_body(self.credentials)).encode()
        answer = await self.connection.request("POST", "/v3/auth/tokens", body, {"Content-Type": "application/json"})
        if answer.status != 201:
            raise ApiError(f"token: {answer.status} {answer.body[:300]!r}")
        self.token = answer.headers["x-subject-token"]

    @property
    def project_id(self) -> str:
        return self.credentials.project_id

    def url(self, path: str) -> str:
        if path.startswith("/"):
            return path
        if path.startswith(("vpcs", "subnets", "cloudservers")):
            return f"/v1/{self.project_id}/{path}"
        return f"/v3/{self.project_id}/elb/{path}"

    async def call(self, method: str, path: str, body: Any = None) -> Response:
        payload = json.dumps(body).encode() if body is not None else b""
        url = self.url(path)
        if self.auth == "aksk":
            route, _, query = url.partition("?")
            headers = signed_headers(
                method, route, query, payload, self.connection.host_header, self.project_id,
                self.credentials.access_key, self.credentials.secret_key,
            )
        else:
            headers = {"X-Auth-Token": self.token, "Content-Type": "application/json"}
        return await self.connection.request(method, url, payload if body is not None else None, headers)

    async def ok(self, method: str, path: str, body: Any = None, status: int | None = None) -> dict[str, Any]:
        answer = await self.call(method, path, body)
        expected = status or {"POST": 201, "DELETE": 204}.get(method, 200)
        if answer.status != expected:
            raise ApiError(f"{method} {path}: {answer.status} {answer.body[:500]!r}")
        return answer.json()

    # builders
    async def vpc(self, cidr: str = "127.0.0.0/8") -> dict[str, Any]:
        return (await self.ok("POST", "vpcs", {"vpc": {"name": "bench", "cidr": cidr}}, status=200))["vpc"]

    async def subnet(self, vpc_id: str, cidr: str, name: str) -> dict[str, Any]:
        body = {"subnet": {"name": name, "cidr": cidr, "vpc_id": vpc_id}}
        return (await self.ok("POST", "subnets", body, status=200))["subnet"]

    async def load_balancer(self, subnet: dict[str, Any], **extra: Any) -> dict[str, Any]:
        body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": subnet["neutron_subnet_id"], **extra}}
        return (await self.ok("POST", "loadbalancers", body))["loadbalancer"]

    async def listener(self, lb_id: str, protocol: str, port: int, **extra: Any) -> dict[str, Any]:
        body = {"listener": {"loadbalancer_id": lb_id, "protocol": protocol, "protocol_port": port, **extra}}
        return (await self.ok("POST", "listeners", body))["listener"]

    async def pool(self, protocol: str = "HTTP", **extra: Any) -> dict[str, Any]:
        body = {"pool": {"protocol": protocol, "lb_algorithm": "ROUND_ROBIN", **extra}}
        return (await self.ok("POST", "pools", body))["pool"]

    async def monitor(self, pool_id: str, **extra: Any) -> dict[str, Any]:
        body = {"healthmonitor": {"pool_id": pool_id, "type": "HTTP", "delay": 1, "timeout": 1, "max_retries": 1,
                                  "url_path": "/health", **extra}}
        return (await self.ok("POST", "healthmonitors", body))["healthmonitor"]

    async def member(self, pool_id: str, subnet_id: str, address: str, port: int, weight: int = 1) -> dict[str, Any]:
        body = {"member": {"address": address, "protocol_port": port, "weight": weight, "subnet_cidr_id": subnet_id}}
        return (await self.ok("POST", f"pools/{pool_id}/members", body))["member"]

    async def batch_add(self, pool_id: str, subnet_id: str, endpoints: list[tuple[str, int]]) -> list[dict[str, Any]]:
        members = [{"address": address, "protocol_port": port, "subnet_cidr_id": subnet_id} for address, port in endpoints]
        return (await self.ok("POST", f"pools/{pool_id}/members/batch-add", {"members": members}, status=200))["members"]

    async def set_weight(self, pool_id: str, member_id: str, weight: int) -> dict[str, Any]:
        return await self.ok("PUT", f"pools/{pool_id}/members/{member_id}", {"member": {"weight": weight}})

    async def delete_member(self, pool_id: str, member_id: str) -> None:
        await self.ok("DELETE", f"pools/{pool_id}/members/{member_id}")
