"""Every operation of the official SDK (`huaweicloudsdkelb`), called through the SDK against a live
`elbd serve`, either works or is refused as intended.

- works: the SDK parses the answer, and every field its response model requires is in it (the SDK
  itself never checks: a missing key just becomes None in the caller's hands);
- refused as intended: the operation is in REFUSED below, with its ELB error code and the reason, and
  the answer is that 400 in the ELB error format.

Anything else fails: "The API does not exist", a 5xx, a refusal not in REFUSED, a REFUSED operation
that answers something else, an operation of the SDK this module has no call for."""

import inspect
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import huaweicloudsdkelb.v3 as v3
import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkelb.v3 import ElbClient

from elbd.flavors import CATALOGUE
from tests.certificates import chain, issue
from tests.conftest import LiveServer, free_port
from tests.e2e.test_sdk import create_project, network, sdk_client

SUBNET_CIDR = "127.10.0.0/24"
_addresses = (f"127.10.0.{host}" for host in itertools.count(20))
_ports = itertools.count(1000)
_names = (f"sdk-op-{number}" for number in itertools.count())
ROOT = issue("SDK Operations Root", ca=True)


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str
    says: str  # what the error message says of it


def public_cloud(reason: str) -> Refusal:
    """Refused for good: only a public cloud has it."""
    return Refusal("ELB.8902", reason, "is not available in elbd")


# Operations elbd refuses, each with its ELB error code and why: only those that need a public cloud.
REFUSED: dict[str, Refusal] = {
    "change_loadbalancer_charge_mode": public_cloud("billing: elbd has no charge modes"),
    "count_preoccupy_ip_num": public_cloud("pre-occupied IP counts size a public cloud's subnets for its ELB nodes"),
    "list_domain_i_ps": public_cloud("DNS names of load balancers need the public cloud's DNS"),
    "batch_enable_domain_i_ps": public_cloud("DNS names of load balancers need the public cloud's DNS"),
    "batch_disable_domain_i_ps": public_cloud("DNS names of load balancers need the public cloud's DNS"),
    "update_system_default_domain_config": public_cloud("DNS names of load balancers need the public cloud's DNS"),
    "update_user_defined_domain_config": public_cloud("DNS names of load balancers need the public cloud's DNS"),
    "upgrade_loadbalancer": public_cloud("flavor upgrades (shared to dedicated, adding an IPv6 or backend subnet to the ELB nodes)"),
}

# Top-level answer fields an operation may leave out, and why.
OPTIONAL_TOP_LEVEL = {
    "request_id": "carried in X-Request-Id as well",
    "order_id": "an order of the public cloud's billing, which elbd does not have",
}


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    response_type: str


def sdk_operations() -> dict[str, Operation]:
    """Every operation of ElbClient, read from the client itself (each has a `_<name>_http_info`)."""
    found = {}
    for attribute in dir(ElbClient):
        matched = re.fullmatch(r"_(\w+)_http_info", attribute)
        if not matched:
            continue
        info = getattr(ElbClient, attribute)
        request_class = getattr(v3, re.sub(r"Response$", "Request", _response_type(info)))
        http_info = info(request_class())
        found[matched.group(1)] = Operation(matched.group(1), http_info["method"], http_info["resource_path"], http_info["response_type"])
    return found


def _response_type(info: Any) -> str:
    matched = re.search(r'"response_type": "(\w+)"', inspect.getsource(info))
    assert matched, info
    return matched.group(1)


OPERATIONS = sdk_operations()


# what the SDK's models require


@cache
def required_attributes(model: type) -> tuple[str, ...]:
    """The attributes the model's __init__ sets unconditionally: the SDK's required fields."""
    return tuple(re.findall(r"^        self\.(\w+) = \1$", inspect.getsource(model.__init__), re.MULTILINE))


def _model(type_name: str) -> type | None:
    return getattr(v3, type_name, None)


def missing_fields(type_name: str, value: Any, where: str) -> list[str]:
    """Required fields absent from `value` (JSON) as the SDK type `type_name` reads it, at any depth."""
    listed = re.fullmatch(r"list\[(.+)\]", type_name)
    if listed:
        if not isinstance(value, list):
            return []
        return [gap for index, item in enumerate(value) for gap in missing_fields(listed.group(1), item, f"{where}[{index}]")]
    model = _model(type_name)
    if model is None or not isinstance(value, dict):
        return []
    gaps = [f"{where}.{model.attribute_map[name]}" for name in required_attributes(model) if model.attribute_map[name] not in value]
    for name, inner in model.openapi_types.items():
        key = model.attribute_map[name]
        if value.get(key) is not None:
            gaps += missing_fields(inner, value[key], f"{where}.{key}")
    return gaps


def missing_top_level(response_type: str, body: Any) -> list[str]:
    model = getattr(v3, response_type)
    keys = [model.attribute_map[name] for name in model.openapi_types]
    absent = [key for key in keys if key not in OPTIONAL_TOP_LEVEL and (not isinstance(body, dict) or key not in body)]
    nested = [gap for key in keys if isinstance(body, dict) and body.get(key) is not None for gap in missing_fields(model.openapi_types[_attribute(model, key)], body[key], key)]
    return absent + nested


def _attribute(model: type, key: str) -> str:
    return next(name for name, mapped in model.attribute_map.items() if mapped == key)


# the world the operations act on


@dataclass
class World:
    elb: ElbClient
    subnet_id: str
    lb_id: str
    listener_id: str
    pool_id: str
    monitor_id: str
    member_id: str
    l7policy_id: str
    l7rule_id: str
    certificate_id: str
    ipgroup_id: str
    security_policy_id: str
    job_id: str

    def load_balancer(self, zones: tuple[str, ...] = ("local-1a",)) -> str:
        option = v3.CreateLoadBalancerOption(name=next(_names), availability_zone_list=list(zones), vip_subnet_cidr_id=self.subnet_id)
        return self.elb.create_load_balancer(v3.CreateLoadBalancerRequest(body=v3.CreateLoadBalancerRequestBody(loadbalancer=option))).loadbalancer.id

    def recycled_load_balancer(self) -> str:
        """A new load balancer, deleted into the recycle bin (the bin is turned on for that delete only,
        so the module's other deletes free their VIPs)."""
        lb_id = self.load_balancer()
        self._recycle_bin(True)
        try:
            self.elb.delete_load_balancer(v3.DeleteLoadBalancerRequest(loadbalancer_id=lb_id))
        finally:
            self._recycle_bin(False)
        return lb_id

    def _recycle_bin(self, enable: bool) -> None:
        body = v3.UpdateRecycleBinEnableRequestBody(recycle_bin=v3.RecycleBinRequestBody(enable=enable))
        self.elb.update_recycle_bin_enable(v3.UpdateRecycleBinEnableRequest(body=body))

    def listener(self, **extra: Any) -> str:
        option = v3.CreateListenerOption(loadbalancer_id=self.lb_id, protocol="HTTP", protocol_port=next(_ports), name=next(_names), **extra)
        return self.elb.create_listener(v3.CreateListenerRequest(body=v3.CreateListenerRequestBody(listener=option))).listener.id

    def pool(self, listener_id: str | None = None) -> str:
        where = {"listener_id": listener_id} if listener_id else {"loadbalancer_id": self.lb_id}
        option = v3.CreatePoolOption(protocol="HTTP", lb_algorithm="ROUND_ROBIN", name=next(_names), **where)
        return self.elb.create_pool(v3.CreatePoolRequest(body=v3.CreatePoolRequestBody(pool=option))).pool.id

    def monitor(self, pool_id: str) -> str:
        option = v3.CreateHealthMonitorOption(pool_id=pool_id, type="TCP", delay=5, timeout=3, max_retries=3)
        return self.elb.create_health_monitor(v3.CreateHealthMonitorRequest(body=v3.CreateHealthMonitorRequestBody(healthmonitor=option))).healthmonitor.id

    def master_slave_pool_request(self) -> v3.CreateMasterSlavePoolRequest:
        members = [
            v3.CreateMasterSlaveMemberOption(address=next(_addresses), protocol_port=8080, role=role, subnet_cidr_id=self.subnet_id)
            for role in ("master", "slave")
        ]
        option = v3.CreateMasterSlavePoolOption(
            protocol="TCP", lb_algorithm="ROUND_ROBIN", loadbalancer_id=self.lb_id, members=members,
            healthmonitor=v3.CreateMasterSlaveHealthMonitorOption(delay=5, max_retries=3, timeout=3, type="TCP"),
        )
        return v3.CreateMasterSlavePoolRequest(body=v3.CreateMasterSlavePoolRequestBody(pool=option))

    def master_slave_pool(self) -> str:
        return self.elb.create_master_slave_pool(self.master_slave_pool_request()).pool.id

    def member(self, pool_id: str | None = None) -> str:
        option = v3.CreateMemberOption(address=next(_addresses), protocol_port=8080, subnet_cidr_id=self.subnet_id)
        body = v3.CreateMemberRequestBody(member=option)
        return self.elb.create_member(v3.CreateMemberRequest(pool_id=pool_id or self.pool_id, body=body)).member.id

    def l7policy(self, enhanced: bool = False) -> str:
        """A policy to a pool of its own, on the world's listener or on a new one with enhance_l7policy_enable."""
        listener_id = self.listener(enhance_l7policy_enable=True) if enhanced else self.listener_id
        option = v3.CreateL7PolicyOption(listener_id=listener_id, action="REDIRECT_TO_POOL", redirect_pool_id=self.pool())
        return self.elb.create_l7_policy(v3.CreateL7PolicyRequest(body=v3.CreateL7PolicyRequestBody(l7policy=option))).l7policy.id

    def l7rule(self, policy_id: str) -> str:
        option = v3.CreateRuleOption(type="PATH", compare_type="STARTS_WITH", value=f"/{next(_names)}")
        return self.elb.create_l7_rule(v3.CreateL7RuleRequest(l7policy_id=policy_id, body=v3.CreateL7RuleRequestBody(rule=option))).rule.id

    def certificate(self) -> str:
        option = v3.CreateCertificateOption(name=next(_names), type="client", certificate=chain(ROOT))
        return self.elb.create_certificate(v3.CreateCertificateRequest(body=v3.CreateCertificateRequestBody(certificate=option))).certificate.id

    def ipgroup(self) -> str:
        option = v3.CreateIpGroupOption(name=next(_names), ip_list=[v3.CreateIpGroupIpOption(ip="127.30.1.0/24")])
        return self.elb.create_ip_group(v3.CreateIpGroupRequest(body=v3.CreateIpGroupRequestBody(ipgroup=option))).ipgroup.id

    def batch_job(self) -> str:
        """The job of a batch delete of a new listener."""
        body = v3.BatchDeleteListenersRequestBody(listener_ids=[self.listener()])
        return self.elb.batch_delete_listeners(v3.BatchDeleteListenersRequest(body=body)).job_id

    def logtank(self) -> str:
        """On a load balancer of its own: a load balancer has one log tank at most."""
        option = v3.CreateLogtankOption(loadbalancer_id=self.load_balancer(), log_group_id=UNKNOWN_ID, log_topic_id=UNKNOWN_ID)
        return self.elb.create_logtank(v3.CreateLogtankRequest(body=v3.CreateLogtankRequestBody(logtank=option))).logtank.id

    def security_policy(self) -> str:
        option = v3.CreateSecurityPolicyOption(name=next(_names), protocols=["TLSv1.2"], ciphers=["ECDHE-RSA-AES128-GCM-SHA256"])
        body = v3.CreateSecurityPolicyRequestBody(security_policy=option)
        return self.elb.create_security_policy(v3.CreateSecurityPolicyRequest(body=body)).security_policy.id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    server = LiveServer(tmp_path_factory.mktemp("sdk-operations") / "live-data", free_port())
    server.start()
    try:
        credentials = create_project(server, "sdk-operations")
        subnet = network(server, credentials)
        elb = sdk_client(server, credentials["access_key"], credentials["secret_key"], credentials["project_id"])
        base = World(elb, subnet["neutron_subnet_id"], *([""] * 11))
        base.lb_id = base.load_balancer()
        base.listener_id = base.listener()
        base.pool_id = base.pool(base.listener_id)
        base.monitor_id = base.monitor(base.pool_id)
        base.member_id = base.member()
        base.l7policy_id = base.l7policy()
        base.l7rule_id = base.l7rule(base.l7policy_id)
        base.certificate_id = base.certificate()
        base.ipgroup_id = base.ipgroup()
        base.security_policy_id = base.security_policy()
        check = v3.CreateMemberHealthCheckJobOption(listener_id=base.listener_id, subject="config")
        base.job_id = elb.create_member_health_check_job(
            v3.CreateMemberHealthCheckJobRequest(member_id=base.member_id, body=v3.CreateMemberHealthCheckJobRequestBody(member_check=check))
        ).member_check.job_id
        yield base
    finally:
        server.stop()


Call = Callable[[World], Any]
TAGS = [v3.ChangeResourceTagOption(key="env", value="test")]
UNKNOWN_ID = "00000000000000000000000000000000"

# One request per operation: read-only ones on the world's resources, destructive ones on their own.
CALLS: dict[str, Call] = {
    # load balancers
    "create_load_balancer": lambda w: v3.CreateLoadBalancerRequest(
        body=v3.CreateLoadBalancerRequestBody(
            loadbalancer=v3.CreateLoadBalancerOption(name=next(_names), availability_zone_list=["local-1a"], vip_subnet_cidr_id=w.subnet_id)
        )
    ),
    "list_load_balancers": lambda w: v3.ListLoadBalancersRequest(limit=10),
    "show_load_balancer": lambda w: v3.ShowLoadBalancerRequest(loadbalancer_id=w.lb_id),
    "update_load_balancer": lambda w: v3.UpdateLoadBalancerRequest(
        loadbalancer_id=w.lb_id, body=v3.UpdateLoadBalancerRequestBody(loadbalancer=v3.UpdateLoadBalancerOption(description="updated"))
    ),
    "delete_load_balancer": lambda w: v3.DeleteLoadBalancerRequest(loadbalancer_id=w.load_balancer()),
    "show_load_balancer_status": lambda w: v3.ShowLoadBalancerStatusRequest(loadbalancer_id=w.lb_id),
    "batch_create_load_balancers": lambda w: v3.BatchCreateLoadBalancersRequest(
        body=v3.BatchCreateLoadBalancersRequestBody(
            loadbalancer=v3.BatchCreateLoadBalancerOption(
                name=next(_names), availability_zone_list=["local-1a"], vip_subnet_cidr_id=w.subnet_id, number=2
            )
        )
    ),
    "batch_delete_loadbalancers": lambda w: v3.BatchDeleteLoadbalancersRequest(
        body=v3.BatchDeleteLoadbalancersRequestBody(loadbalancer_ids=[w.load_balancer()])
    ),
    "clone_loadbalancer": lambda w: v3.CloneLoadbalancerRequest(
        loadbalancer_id=w.lb_id, body=v3.CloneLoadbalancerRequestBody(count=1, target_loadbalancer_param=v3.TargetLoadbalancerParam(name=next(_names)))
    ),
    "delete_load_balancer_cascade": lambda w: v3.DeleteLoadBalancerCascadeRequest(
        loadbalancer_id=w.load_balancer(),
        body=v3.DeleteLoadBalancerCascadeRequestBody(loadbalancer=v3.DeleteLoadBalancerCascadeOption(unbounded_pool=True, public_ip=False)),
    ),
    "delete_load_balancer_force": lambda w: v3.DeleteLoadBalancerForceRequest(loadbalancer_id=w.load_balancer()),
    "batch_add_available_zones": lambda w: v3.BatchAddAvailableZonesRequest(
        loadbalancer_id=w.load_balancer(), body=v3.BatchAddAvailableZonesRequestBody(availability_zone_list=["local-1b"])
    ),
    "batch_remove_available_zones": lambda w: v3.BatchRemoveAvailableZonesRequest(
        loadbalancer_id=w.load_balancer(("local-1a", "local-1b")), body=v3.BatchRemoveAvailableZonesRequestBody(availability_zone_list=["local-1b"])
    ),
    "show_load_balancer_ports": lambda w: v3.ShowLoadBalancerPortsRequest(loadbalancer_id=w.lb_id),
    "show_load_balancer_topology": lambda w: v3.ShowLoadBalancerTopologyRequest(loadbalancer_id=w.lb_id),
    "list_loadbalancer_feature": lambda w: v3.ListLoadbalancerFeatureRequest(loadbalancer_id=w.lb_id),
    "list_feature_configs": lambda w: v3.ListFeatureConfigsRequest(),
    "change_loadbalancer_charge_mode": lambda w: v3.ChangeLoadbalancerChargeModeRequest(
        body=v3.ChangeLoadbalancerChargeModeRequestBody(loadbalancer_ids=[w.lb_id], charge_mode="prepaid")
    ),
    "count_preoccupy_ip_num": lambda w: v3.CountPreoccupyIpNumRequest(),
    "list_domain_i_ps": lambda w: v3.ListDomainIPsRequest(loadbalancer_id=w.lb_id),
    "batch_enable_domain_i_ps": lambda w: v3.BatchEnableDomainIPsRequest(
        loadbalancer_id=w.lb_id, body=v3.BatchEnableDomainIPsRequestBody(ips=[v3.DnsIp(ip_address="127.10.0.5")])
    ),
    "batch_disable_domain_i_ps": lambda w: v3.BatchDisableDomainIPsRequest(
        loadbalancer_id=w.lb_id, body=v3.BatchDisableDomainIPsRequestBody(ips=[v3.DnsIp(ip_address="127.10.0.5")])
    ),
    "update_system_default_domain_config": lambda w: v3.UpdateSystemDefaultDomainConfigRequest(
        loadbalancer_id=w.lb_id,
        body=v3.UpdateSystemDefaultDomainConfigRequestBody(loadbalancer=v3.SystemDefaultDnsConfigRequestBody(private_domain_name_enable=True)),
    ),
    "update_user_defined_domain_config": lambda w: v3.UpdateUserDefinedDomainConfigRequest(
        loadbalancer_id=w.lb_id,
        body=v3.UpdateUserDefinedDomainConfigRequestBody(loadbalancer=v3.UserDefinedDnsConfigRequestBody(private_domain_name_enable=True, private_dns_zone_name="example.internal")),
    ),
    "upgrade_loadbalancer": lambda w: v3.UpgradeLoadbalancerRequest(loadbalancer_id=w.lb_id, body=v3.UpgradeV3RequestBody(action="dry_run")),
    # tags
    "change_loadbalancer_tags": lambda w: v3.ChangeLoadbalancerTagsRequest(
        loadbalancer_id=w.lb_id, body=v3.ChangeLoadbalancerTagsRequestBody(action="create", tags=TAGS)
    ),
    "show_loadbalancer_tags": lambda w: v3.ShowLoadbalancerTagsRequest(loadbalancer_id=w.lb_id),
    "list_loadbalancer_tags": lambda w: v3.ListLoadbalancerTagsRequest(),
    "change_listener_tags": lambda w: v3.ChangeListenerTagsRequest(
        listener_id=w.listener_id, body=v3.ChangeListenerTagsRequestBody(action="create", tags=TAGS)
    ),
    "show_listener_tags": lambda w: v3.ShowListenerTagsRequest(listener_id=w.listener_id),
    "list_listener_tags": lambda w: v3.ListListenerTagsRequest(),
    # recycle bin
    "show_recycle_bin": lambda w: v3.ShowRecycleBinRequest(),
    "update_recycle_bin_enable": lambda w: v3.UpdateRecycleBinEnableRequest(
        body=v3.UpdateRecycleBinEnableRequestBody(recycle_bin=v3.RecycleBinRequestBody(enable=False))
    ),
    "update_recycle_bin_policy": lambda w: v3.UpdateRecycleBinPolicyRequest(
        body=v3.UpdateRecycleBinPolicyRequestBody(recycle_bin=v3.RecycleBinPolicyRequestBody(policy=v3.RecycleBinPolicy(retention_hour=24)))
    ),
    "list_recycle_bin_load_balancers": lambda w: v3.ListRecycleBinLoadBalancersRequest(id=[w.recycled_load_balancer()]),
    "restore_loadbalancer": lambda w: v3.RestoreLoadbalancerRequest(loadbalancer_id=w.recycled_load_balancer()),
    "delete_recycle_load_balancer": lambda w: v3.DeleteRecycleLoadBalancerRequest(loadbalancer_id=w.recycled_load_balancer()),
    # listeners
    "create_listener": lambda w: v3.CreateListenerRequest(
        body=v3.CreateListenerRequestBody(listener=v3.CreateListenerOption(loadbalancer_id=w.lb_id, protocol="TCP", protocol_port=next(_ports)))
    ),
    "list_listeners": lambda w: v3.ListListenersRequest(limit=10),
    "show_listener": lambda w: v3.ShowListenerRequest(listener_id=w.listener_id),
    "update_listener": lambda w: v3.UpdateListenerRequest(
        listener_id=w.listener_id, body=v3.UpdateListenerRequestBody(listener=v3.UpdateListenerOption(description="updated"))
    ),
    "delete_listener": lambda w: v3.DeleteListenerRequest(listener_id=w.listener()),
    "delete_listener_force": lambda w: v3.DeleteListenerForceRequest(listener_id=w.listener()),
    "batch_delete_listeners": lambda w: v3.BatchDeleteListenersRequest(body=v3.BatchDeleteListenersRequestBody(listener_ids=[w.listener()])),
    "clone_listener": lambda w: v3.CloneListenerRequest(
        listener_id=w.listener_id,
        body=v3.CloneListenerRequestBody(target_listener_params=[v3.CloneListenerOption(protocol_port=next(_ports), loadbalancer_id=w.lb_id)]),
    ),
    # pools
    "create_pool": lambda w: v3.CreatePoolRequest(
        body=v3.CreatePoolRequestBody(pool=v3.CreatePoolOption(protocol="HTTP", lb_algorithm="ROUND_ROBIN", loadbalancer_id=w.lb_id))
    ),
    "list_pools": lambda w: v3.ListPoolsRequest(limit=10),
    "show_pool": lambda w: v3.ShowPoolRequest(pool_id=w.pool_id),
    "update_pool": lambda w: v3.UpdatePoolRequest(pool_id=w.pool_id, body=v3.UpdatePoolRequestBody(pool=v3.UpdatePoolOption(description="updated"))),
    "delete_pool": lambda w: v3.DeletePoolRequest(pool_id=w.pool()),
    "delete_pool_cascade": lambda w: v3.DeletePoolCascadeRequest(pool_id=w.pool()),
    "batch_delete_pools": lambda w: v3.BatchDeletePoolsRequest(body=v3.BatchDeletePoolsRequestBody(pools=[w.pool()])),
    # master-slave pools
    "create_master_slave_pool": lambda w: w.master_slave_pool_request(),
    "list_master_slave_pools": lambda w: v3.ListMasterSlavePoolsRequest(protocol=["TCP"]),
    "show_master_slave_pool": lambda w: v3.ShowMasterSlavePoolRequest(pool_id=w.master_slave_pool()),
    "delete_master_slave_pool": lambda w: v3.DeleteMasterSlavePoolRequest(pool_id=w.master_slave_pool()),
    # members
    "create_member": lambda w: v3.CreateMemberRequest(
        pool_id=w.pool_id, body=v3.CreateMemberRequestBody(member=v3.CreateMemberOption(address=next(_addresses), protocol_port=8080, subnet_cidr_id=w.subnet_id))
    ),
    "list_members": lambda w: v3.ListMembersRequest(pool_id=w.pool_id, limit=10),
    "list_all_members": lambda w: v3.ListAllMembersRequest(limit=10),
    "show_member": lambda w: v3.ShowMemberRequest(pool_id=w.pool_id, member_id=w.member_id),
    "update_member": lambda w: v3.UpdateMemberRequest(
        pool_id=w.pool_id, member_id=w.member_id, body=v3.UpdateMemberRequestBody(member=v3.UpdateMemberOption(weight=2))
    ),
    "delete_member": lambda w: v3.DeleteMemberRequest(pool_id=w.pool_id, member_id=w.member()),
    "batch_create_members": lambda w: v3.BatchCreateMembersRequest(
        pool_id=w.pool_id,
        body=v3.BatchCreateMembersRequestBody(members=[v3.BatchCreateMembersOption(address=next(_addresses), protocol_port=8080, subnet_cidr_id=w.subnet_id)]),
    ),
    "batch_update_members": lambda w: v3.BatchUpdateMembersRequest(
        pool_id=w.pool_id, body=v3.BatchUpdateMembersRequestBody(members=[v3.BatchUpdateMembersOption(id=w.member_id, weight=3)])
    ),
    "batch_delete_members": lambda w: v3.BatchDeleteMembersRequest(
        pool_id=w.pool_id, body=v3.BatchDeleteMembersRequestBody(members=[v3.BatchDeleteMembersOption(id=w.member())])
    ),
    "create_member_health_check_job": lambda w: v3.CreateMemberHealthCheckJobRequest(
        member_id=w.member_id,
        body=v3.CreateMemberHealthCheckJobRequestBody(member_check=v3.CreateMemberHealthCheckJobOption(listener_id=w.listener_id, subject="config")),
    ),
    "show_member_health_check_job": lambda w: v3.ShowMemberHealthCheckJobRequest(job_id=w.job_id),
    # health monitors
    "create_health_monitor": lambda w: v3.CreateHealthMonitorRequest(
        body=v3.CreateHealthMonitorRequestBody(healthmonitor=v3.CreateHealthMonitorOption(pool_id=w.pool(), type="TCP", delay=5, timeout=3, max_retries=3))
    ),
    "list_health_monitors": lambda w: v3.ListHealthMonitorsRequest(limit=10),
    "show_health_monitor": lambda w: v3.ShowHealthMonitorRequest(healthmonitor_id=w.monitor_id),
    "update_health_monitor": lambda w: v3.UpdateHealthMonitorRequest(
        healthmonitor_id=w.monitor_id, body=v3.UpdateHealthMonitorRequestBody(healthmonitor=v3.UpdateHealthMonitorOption(delay=6))
    ),
    "delete_health_monitor": lambda w: v3.DeleteHealthMonitorRequest(healthmonitor_id=w.monitor(w.pool())),
    # forwarding policies and rules
    "create_l7_policy": lambda w: v3.CreateL7PolicyRequest(
        body=v3.CreateL7PolicyRequestBody(l7policy=v3.CreateL7PolicyOption(listener_id=w.listener_id, action="REDIRECT_TO_POOL", redirect_pool_id=w.pool()))
    ),
    "list_l7_policies": lambda w: v3.ListL7PoliciesRequest(limit=10),
    "show_l7_policy": lambda w: v3.ShowL7PolicyRequest(l7policy_id=w.l7policy_id),
    "update_l7_policy": lambda w: v3.UpdateL7PolicyRequest(
        l7policy_id=w.l7policy_id, body=v3.UpdateL7PolicyRequestBody(l7policy=v3.UpdateL7PolicyOption(description="updated"))
    ),
    "delete_l7_policy": lambda w: v3.DeleteL7PolicyRequest(l7policy_id=w.l7policy()),
    "batch_update_policies_priority": lambda w: v3.BatchUpdatePoliciesPriorityRequest(
        body=v3.BatchUpdatePoliciesPriorityRequestBody(l7policies=[v3.BatchUpdatePriorityRequestBody(id=w.l7policy(enhanced=True), priority=5)])
    ),
    "create_l7_rule": lambda w: v3.CreateL7RuleRequest(
        l7policy_id=w.l7policy(), body=v3.CreateL7RuleRequestBody(rule=v3.CreateRuleOption(type="PATH", compare_type="STARTS_WITH", value="/made"))
    ),
    "list_l7_rules": lambda w: v3.ListL7RulesRequest(l7policy_id=w.l7policy_id),
    "list_all_l7_rules": lambda w: v3.ListAllL7RulesRequest(limit=10),
    "show_l7_rule": lambda w: v3.ShowL7RuleRequest(l7policy_id=w.l7policy_id, l7rule_id=w.l7rule_id),
    "update_l7_rule": lambda w: v3.UpdateL7RuleRequest(
        l7policy_id=w.l7policy_id, l7rule_id=w.l7rule_id, body=v3.UpdateL7RuleRequestBody(rule=v3.UpdateL7RuleOption(value="/changed"))
    ),
    "delete_l7_rule": lambda w: (lambda policy_id: v3.DeleteL7RuleRequest(l7policy_id=policy_id, l7rule_id=w.l7rule(policy_id)))(w.l7policy()),
    # certificates
    "create_certificate": lambda w: v3.CreateCertificateRequest(
        body=v3.CreateCertificateRequestBody(certificate=v3.CreateCertificateOption(type="client", certificate=chain(ROOT)))
    ),
    "list_certificates": lambda w: v3.ListCertificatesRequest(limit=10),
    "show_certificate": lambda w: v3.ShowCertificateRequest(certificate_id=w.certificate_id),
    "update_certificate": lambda w: v3.UpdateCertificateRequest(
        certificate_id=w.certificate_id, body=v3.UpdateCertificateRequestBody(certificate=v3.UpdateCertificateOption(description="updated"))
    ),
    "delete_certificate": lambda w: v3.DeleteCertificateRequest(certificate_id=w.certificate()),
    "batch_delete_certificates": lambda w: v3.BatchDeleteCertificatesRequest(body=v3.BatchDeleteCertificatesRequestBody(certificates=[w.certificate()])),
    "create_certificate_private_key_echo": lambda w: v3.CreateCertificatePrivateKeyEchoRequest(
        body=v3.CreateCertificatePrivateKeyEchoRequestBody(private_key_echo=False)
    ),
    "show_certificate_private_key_echo": lambda w: v3.ShowCertificatePrivateKeyEchoRequest(),
    # security policies
    "create_security_policy": lambda w: v3.CreateSecurityPolicyRequest(
        body=v3.CreateSecurityPolicyRequestBody(
            security_policy=v3.CreateSecurityPolicyOption(protocols=["TLSv1.2"], ciphers=["ECDHE-RSA-AES128-GCM-SHA256"])
        )
    ),
    "list_security_policies": lambda w: v3.ListSecurityPoliciesRequest(limit=10),
    "list_system_security_policies": lambda w: v3.ListSystemSecurityPoliciesRequest(),
    "show_security_policy": lambda w: v3.ShowSecurityPolicyRequest(security_policy_id=w.security_policy_id),
    "update_security_policy": lambda w: v3.UpdateSecurityPolicyRequest(
        security_policy_id=w.security_policy_id,
        body=v3.UpdateSecurityPolicyRequestBody(security_policy=v3.UpdateSecurityPolicyOption(description="updated")),
    ),
    "delete_security_policy": lambda w: v3.DeleteSecurityPolicyRequest(security_policy_id=w.security_policy()),
    # IP address groups
    "create_ip_group": lambda w: v3.CreateIpGroupRequest(
        body=v3.CreateIpGroupRequestBody(ipgroup=v3.CreateIpGroupOption(ip_list=[v3.CreateIpGroupIpOption(ip="127.30.2.0/24")]))
    ),
    "list_ip_groups": lambda w: v3.ListIpGroupsRequest(limit=10),
    "show_ip_group": lambda w: v3.ShowIpGroupRequest(ipgroup_id=w.ipgroup_id),
    "update_ip_group": lambda w: v3.UpdateIpGroupRequest(
        ipgroup_id=w.ipgroup_id, body=v3.UpdateIpGroupRequestBody(ipgroup=v3.UpdateIpGroupOption(description="updated"))
    ),
    "delete_ip_group": lambda w: v3.DeleteIpGroupRequest(ipgroup_id=w.ipgroup()),
    "update_ip_list": lambda w: v3.UpdateIpListRequest(
        ipgroup_id=w.ipgroup_id, body=v3.UpdateIpListRequestBody(ipgroup=v3.UpdateIpListOption(ip_list=[v3.UpdateIpGroupIpOption(ip="127.30.3.1")]))
    ),
    "batch_delete_ip_list": lambda w: v3.BatchDeleteIpListRequest(
        ipgroup_id=w.ipgroup(), body=v3.BatchDeleteIpListRequestBody(ipgroup=v3.BatchDeleteIpListOption(ip_list=[v3.IpGroupIp(ip="127.30.1.0/24")]))
    ),
    "show_ip_group_related_listeners": lambda w: v3.ShowIpGroupRelatedListenersRequest(ipgroup_id=w.ipgroup_id),
    # log tanks
    "create_logtank": lambda w: v3.CreateLogtankRequest(
        body=v3.CreateLogtankRequestBody(logtank=v3.CreateLogtankOption(loadbalancer_id=w.load_balancer(), log_group_id=UNKNOWN_ID, log_topic_id=UNKNOWN_ID))
    ),
    "list_logtanks": lambda w: v3.ListLogtanksRequest(),
    "show_logtank": lambda w: v3.ShowLogtankRequest(logtank_id=w.logtank()),
    "update_logtank": lambda w: v3.UpdateLogtankRequest(
        logtank_id=w.logtank(), body=v3.UpdateLogtankRequestBody(logtank=v3.UpdateLogtankOption(log_group_id=UNKNOWN_ID))
    ),
    "delete_logtank": lambda w: v3.DeleteLogtankRequest(logtank_id=w.logtank()),
    # flavors, jobs, zones, quotas, versions
    "list_flavors": lambda w: v3.ListFlavorsRequest(type=["L7"]),
    "show_flavor": lambda w: v3.ShowFlavorRequest(flavor_id=CATALOGUE[0].id),
    "list_jobs": lambda w: v3.ListJobsRequest(),
    "show_job": lambda w: v3.ShowJobRequest(job_id=w.batch_job()),
    "list_availability_zones": lambda w: v3.ListAvailabilityZonesRequest(),
    "show_quota": lambda w: v3.ShowQuotaRequest(),
    "list_quota_details": lambda w: v3.ListQuotaDetailsRequest(),
    "list_api_versions": lambda w: v3.ListApiVersionsRequest(),
}


@dataclass(frozen=True)
class Outcome:
    works: bool
    status: int
    code: str
    detail: str


def outcome_of(world: World, name: str) -> Outcome:
    try:
        response = getattr(world.elb, name)(CALLS[name](world))
    except ServerResponseException as failure:
        return Outcome(False, failure.status_code, failure.error_code, f"5xx: {failure.error_msg}")
    except ClientRequestException as failure:
        return Outcome(False, failure.status_code, failure.error_code, failure.error_msg)
    raw = response.raw_content
    body = json.loads(raw) if raw else {}
    gaps = missing_top_level(OPERATIONS[name].response_type, body)
    return Outcome(not gaps, response.status_code, "", f"answered without {gaps}" if gaps else "works")


def test_every_operation_of_the_sdk_has_a_call() -> None:
    assert len(OPERATIONS) == 119
    assert set(CALLS) == set(OPERATIONS), (set(OPERATIONS) - set(CALLS), set(CALLS) - set(OPERATIONS))
    assert set(REFUSED) <= set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_operation_works_or_is_refused_as_intended(world: World, name: str) -> None:
    outcome = outcome_of(world, name)
    assert outcome.code != "APIGW.0101", f"{name}: {outcome.detail}"
    assert outcome.status < 500, f"{name}: {outcome.status} {outcome.detail}"
    if name in REFUSED:
        refusal = REFUSED[name]
        assert (outcome.status, outcome.code) == (400, refusal.code), f"{name}: {outcome}"
        assert refusal.says in outcome.detail, f"{name}: {outcome.detail}"
    else:
        assert outcome.works, f"{name}: {outcome}"


def test_sdk_tags_a_listener_and_reads_the_tags_back(world: World) -> None:
    listener_id = world.listener()
    body = v3.ChangeListenerTagsRequestBody(action="create", tags=[v3.ChangeResourceTagOption(key="tier", value="edge")])
    world.elb.change_listener_tags(v3.ChangeListenerTagsRequest(listener_id=listener_id, body=body))
    shown = world.elb.show_listener_tags(v3.ShowListenerTagsRequest(listener_id=listener_id)).tags
    assert [(tag.key, tag.value) for tag in shown] == [("tier", "edge")]
    listed = world.elb.list_listener_tags(v3.ListListenerTagsRequest()).tags
    assert ("tier", ["edge"]) in [(tag.key, tag.values) for tag in listed]
    assert world.elb.show_listener(v3.ShowListenerRequest(listener_id=listener_id)).listener.tags[0].key == "tier"


def test_sdk_batch_deletes_load_balancers_and_finds_the_job(world: World) -> None:
    doomed = [world.load_balancer(), world.load_balancer()]
    body = v3.BatchDeleteLoadbalancersRequestBody(loadbalancer_ids=doomed, unbounded_pool=True)
    answer = world.elb.batch_delete_loadbalancers(v3.BatchDeleteLoadbalancersRequest(body=body))
    assert answer.loadbalancer_ids == doomed and answer.job_id
    job = world.elb.show_job(v3.ShowJobRequest(job_id=answer.job_id)).job
    assert (job.job_type, job.status) == ("batchDeleteLoadbalancer", "COMPLETE")
    assert [sub.entities[0].resource_id for sub in job.sub_jobs] == doomed
    listed = world.elb.list_jobs(v3.ListJobsRequest(job_type="batchDeleteLoadbalancer")).jobs
    assert answer.job_id in [one.job_id for one in listed]
    for lb_id in doomed:
        with pytest.raises(ClientRequestException) as raised:
            world.elb.show_load_balancer(v3.ShowLoadBalancerRequest(loadbalancer_id=lb_id))
        assert raised.value.status_code == 404


def test_sdk_makes_an_active_standby_pool_and_reads_its_roles(world: World) -> None:
    created = world.elb.create_master_slave_pool(world.master_slave_pool_request()).pool
    shown = world.elb.show_master_slave_pool(v3.ShowMasterSlavePoolRequest(pool_id=created.id)).pool
    assert sorted(member.role for member in shown.members) == ["master", "slave"]
    assert (shown.healthmonitor.type, shown.loadbalancers[0].id) == ("TCP", world.lb_id)
    listed = world.elb.list_master_slave_pools(v3.ListMasterSlavePoolsRequest(id=[created.id])).pools
    assert [pool.id for pool in listed] == [created.id]
    world.elb.delete_master_slave_pool(v3.DeleteMasterSlavePoolRequest(pool_id=created.id))
    with pytest.raises(ClientRequestException) as raised:
        world.elb.show_master_slave_pool(v3.ShowMasterSlavePoolRequest(pool_id=created.id))
    assert raised.value.status_code == 404


def test_sdk_lists_flavors_and_names_one_on_a_load_balancer(world: World) -> None:
    flavors = world.elb.list_flavors(v3.ListFlavorsRequest(type=["L4"])).flavors
    assert [flavor.name for flavor in flavors] == [flavor.name for flavor in CATALOGUE if flavor.type == "L4"]
    assert (flavors[0].info.connection, flavors[0].info.cps, flavors[0].info.bandwidth) == (CATALOGUE[0].connection, CATALOGUE[0].cps, None)
    option = v3.CreateLoadBalancerOption(name=next(_names), vip_subnet_cidr_id=world.subnet_id, l4_flavor_id=flavors[0].id)
    lb = world.elb.create_load_balancer(v3.CreateLoadBalancerRequest(body=v3.CreateLoadBalancerRequestBody(loadbalancer=option))).loadbalancer
    assert lb.l4_flavor_id == flavors[0].id
