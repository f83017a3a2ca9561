"""The engine a load balancer runs on: HAProxy for TCP, HTTP, HTTPS and TLS listeners, and beside it
nginx's stream module for UDP ones (HAProxy's open-source edition has no UDP). The reconciler sees
one engine; HAProxy's behaviour is unchanged (every call goes to it), and each start, reload, converge
or retire also brings the UDP side to the configuration's `udp` part."""

from collections.abc import Mapping

from elbd.dataplane.engine import TlsMaterial
from elbd.dataplane.haproxy_answers import CheckReport
from elbd.dataplane.haproxy_engine import HaproxyEngine
from elbd.dataplane.model import LoadBalancerConfig
from elbd.dataplane.nginx_engine import NginxEngine, unbindable
from elbd.dataplane.plan import ApplyMembers, Live, LoadBalancerAction, ReplaceAccessLists, Retire


class Engines:
    def __init__(self, haproxy: HaproxyEngine, udp: NginxEngine) -> None:
        self.haproxy = haproxy
        self.udp = udp

    def known_load_balancers(self) -> set[str]:
        return self.haproxy.known_load_balancers() | self.udp.known_load_balancers()

    def prepare(self, load_balancer_id: str) -> None:
        self.haproxy.prepare(load_balancer_id)

    def unbindable(self, config: LoadBalancerConfig) -> dict[str, str]:
        return {**self.haproxy.unbindable(config), **unbindable(config.udp.listeners)}

    def skeleton(self, load_balancer_id: str, config: LoadBalancerConfig) -> str:
        return self.haproxy.skeleton(load_balancer_id, config)

    def observe(self, load_balancer_id: str) -> Live:
        return self.haproxy.observe(load_balancer_id)

    def carry_out(
        self, load_balancer_id: str, action: LoadBalancerAction, passed: Mapping[str, bool], tls: Mapping[str, TlsMaterial]
    ) -> frozenset[str]:
        undeleted = self.haproxy.carry_out(load_balancer_id, action, passed, tls)
        if isinstance(action, Retire):
            self.udp.retire(load_balancer_id)
        else:
            self.udp.converge(load_balancer_id, action.config.udp, passed)
        return undeleted

    def apply_members(self, load_balancer_id: str, action: ApplyMembers) -> frozenset[str]:
        return self.haproxy.apply_members(load_balancer_id, action)

    def replace_access_lists(self, load_balancer_id: str, action: ReplaceAccessLists) -> None:
        """HAProxy's frontends only: a UDP listener is not among the frontends, so plan_access rebuilds it."""
        self.haproxy.replace_access_lists(load_balancer_id, action)

    def write_config(self, load_balancer_id: str, config: LoadBalancerConfig) -> None:
        self.haproxy.write_config(load_balancer_id, config)

    def running(self, load_balancer_id: str) -> bool:
        return self.haproxy.running(load_balancer_id)

    def watched_pid(self, load_balancer_id: str) -> int | None:
        return self.haproxy.watched_pid(load_balancer_id)

    def check_reports(self, load_balancer_id: str, backend: str) -> list[tuple[str, str, CheckReport]]:
        return self.haproxy.check_reports(load_balancer_id, backend)

    def save_health(self, load_balancer_id: str, backends: set[str]) -> None:
        self.haproxy.save_health(load_balancer_id, backends)

    def listener_states(self, load_balancer_id: str) -> dict[str, str]:
        return {**self.haproxy.listener_states(load_balancer_id), **self.udp.listener_states(load_balancer_id)}
