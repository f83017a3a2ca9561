"""The official Huawei Cloud SDK, unmodified, signs with AK/SK and drives a real `elbd serve`.

One server and one topology (VPC and subnet over plain HTTP, then LB, listener, pool and monitor
through the SDK) serve the module; tests that count members use a pool of their own. Certificates,
server and client, go through their whole life in the SDK's own models."""

import itertools
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkelb.v3 import (
    BatchCreateMembersOption,
    BatchCreateMembersRequest,
    BatchCreateMembersRequestBody,
    BatchDeleteCertificatesRequest,
    BatchDeleteCertificatesRequestBody,
    BatchDeleteIpListOption,
    BatchDeleteIpListRequest,
    BatchDeleteIpListRequestBody,
    BatchUpdatePoliciesPriorityRequest,
    BatchUpdatePoliciesPriorityRequestBody,
    BatchUpdatePriorityRequestBody,
    CreateCertificateOption,
    CreateCertificatePrivateKeyEchoRequest,
    CreateCertificatePrivateKeyEchoRequestBody,
    CreateCertificateRequest,
    CreateCertificateRequestBody,
    CreateFixtedResponseConfig,
    CreateHealthMonitorOption,
    CreateHealthMonitorRequest,
    CreateHealthMonitorRequestBody,
    CreateInsertHeaderConfig,
    CreateInsertHeadersConfig,
    CreateIpGroupIpOption,
    CreateIpGroupOption,
    CreateIpGroupRequest,
    CreateIpGroupRequestBody,
    CreateL7PolicyOption,
    CreateL7PolicyRequest,
    CreateL7PolicyRequestBody,
    CreateL7PolicyRuleOption,
    CreateL7RuleRequest,
    CreateL7RuleRequestBody,
    CreateListenerIpGroupOption,
    CreateListenerOption,
    CreateListenerRequest,
    CreateListenerRequestBody,
    CreateLoadBalancerOption,
    CreateLoadBalancerRequest,
    CreateLoadBalancerRequestBody,
    CreateMemberHealthCheckJobOption,
    CreateMemberHealthCheckJobRequest,
    CreateMemberHealthCheckJobRequestBody,
    CreateMemberOption,
    CreateMemberRequest,
    CreateMemberRequestBody,
    ConnectionDrain,
    CreatePoolOption,
    CreatePoolRequest,
    CreatePoolRequestBody,
    CreatePoolSessionPersistenceOption,
    CreatePoolSlowStartOption,
    CreateRedirectPoolsConfig,
    CreateRemoveHeaderConfig,
    CreateRemoveHeadersConfig,
    CreateRuleCondition,
    CreateRuleOption,
    CreateSecurityPolicyOption,
    CreateSecurityPolicyRequest,
    CreateSecurityPolicyRequestBody,
    DeleteCertificateRequest,
    DeleteIpGroupRequest,
    DeleteL7PolicyRequest,
    DeleteL7RuleRequest,
    DeleteListenerRequest,
    DeleteMemberRequest,
    DeleteSecurityPolicyRequest,
    ElbClient,
    IpGroupIp,
    ListAllL7RulesRequest,
    ListCertificatesRequest,
    ListIpGroupsRequest,
    ListL7PoliciesRequest,
    ListL7RulesRequest,
    ListMembersRequest,
    ListSecurityPoliciesRequest,
    ListSystemSecurityPoliciesRequest,
    ShowCertificatePrivateKeyEchoRequest,
    ShowCertificateRequest,
    ShowIpGroupRelatedListenersRequest,
    ShowIpGroupRequest,
    ShowL7PolicyRequest,
    ShowL7RuleRequest,
    ShowListenerRequest,
    ShowMemberHealthCheckJobRequest,
    ShowMemberRequest,
    ShowPoolRequest,
    ShowSecurityPolicyRequest,
    UpdateCertificateOption,
    UpdateCertificateRequest,
    UpdateCertificateRequestBody,
    UpdateIpGroupIpOption,
    UpdateIpGroupOption,
    UpdateIpGroupRequest,
    UpdateIpGroupRequestBody,
    UpdateIpListOption,
    UpdateIpListRequest,
    UpdateIpListRequestBody,
    UpdateL7PolicyOption,
    UpdateL7PolicyRequest,
    UpdateL7PolicyRequestBody,
    UpdateL7RuleOption,
    UpdateL7RuleRequest,
    UpdateL7RuleRequestBody,
    UpdateListenerIpGroupOption,
    UpdateListenerOption,
    UpdateListenerRequest,
    UpdateListenerRequestBody,
    UpdateMemberOption,
    UpdateMemberRequest,
    UpdateMemberRequestBody,
    UpdatePoolOption,
    UpdatePoolRequest,
    UpdatePoolRequestBody,
    UpdatePoolSessionPersistenceOption,
    UpdatePoolSlowStartOption,
    UpdateRuleCondition,
    UpdateSecurityPolicyOption,
    UpdateSecurityPolicyRequest,
    UpdateSecurityPolicyRequestBody,
)

from elbd.udp_engine import udp_engine_missing
from elbd.config import load_settings
from elbd.service import identity
from elbd.store.db import Database
from elbd.store.secret_box import KEY_FILE_NAME, load_key_file
from tests.certificates import chain, issue
from tests.conftest import LiveServer, free_port
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

SUBNET_CIDR = "127.10.0.0/24"
_addresses = (f"127.10.0.{host}" for host in itertools.count(20))


@dataclass
class Cloud:
    server: LiveServer
    credentials: dict[str, str]
    elb: ElbClient
    subnet: dict[str, Any]
    lb: Any
    listener: Any
    pool: Any
    monitor: Any

    @property
    def lb_id(self) -> str:
        return self.lb.id

    @property
    def listener_id(self) -> str:
        return self.listener.id

    @property
    def pool_id(self) -> str:
        return self.pool.id

    def client_with(self, secret_key: str) -> ElbClient:
        return sdk_client(self.server, self.credentials["access_key"], secret_key, self.credentials["project_id"])

    def member_option(self, **extra: Any) -> CreateMemberOption:
        return CreateMemberOption(address=next(_addresses), protocol_port=8080, subnet_cidr_id=self.subnet["neutron_subnet_id"], **extra)

    def create_member(self, pool_id: str | None = None, **extra: Any) -> Any:
        body = CreateMemberRequestBody(member=self.member_option(**extra))
        return self.elb.create_member(CreateMemberRequest(pool_id=pool_id or self.pool_id, body=body)).member

    def new_pool(self) -> str:
        option = CreatePoolOption(protocol="HTTP", lb_algorithm="ROUND_ROBIN", loadbalancer_id=self.lb_id)
        return self.elb.create_pool(CreatePoolRequest(body=CreatePoolRequestBody(pool=option))).pool.id


def sdk_client(server: LiveServer, access_key: str, secret_key: str, project_id: str) -> ElbClient:
    return (
        ElbClient.new_builder()
        .with_credentials(BasicCredentials(access_key, secret_key, project_id))
        .with_endpoints([server.url])
        .build()
    )


def create_project(server: LiveServer, name: str) -> dict[str, str]:
    """Straight into the server's database (WAL lets both write): `elbd project create` has its own
    tests in test_cli.py, and a second process start would cost seconds."""
    db = Database(load_settings(server.data_dir).database_url)
    try:
        with db.write() as session:
            secret_box = load_key_file(server.data_dir / KEY_FILE_NAME)
            return asdict(identity.create_project(session, name=name, secret_box=secret_box))
    finally:
        db.dispose()


def keystone_token(server: LiveServer, credentials: dict[str, str]) -> str:
    user = {"name": credentials["user_name"], "password": credentials["password"], "domain": {"name": credentials["domain_name"]}}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}, "scope": {"project": {"id": credentials["project_id"]}}}}
    response = httpx.post(f"{server.url}/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def network(server: LiveServer, credentials: dict[str, str]) -> dict[str, Any]:
    """VPC and subnet over plain HTTP with a token: the SDK under test is ELB's only."""
    base = f"{server.url}/v1/{credentials['project_id']}"
    with httpx.Client(headers={"X-Auth-Token": keystone_token(server, credentials)}, timeout=10) as http:
        vpc = http.post(f"{base}/vpcs", json={"vpc": {"name": "sdk-vpc", "cidr": "127.0.0.0/8"}})
        assert vpc.status_code == 200, vpc.text
        subnet = http.post(f"{base}/subnets", json={"subnet": {"name": "sdk-subnet", "cidr": SUBNET_CIDR, "vpc_id": vpc.json()["vpc"]["id"]}})
        assert subnet.status_code == 200, subnet.text
        return subnet.json()["subnet"]


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    server = LiveServer(tmp_path_factory.mktemp("sdk") / "live-data", free_port())
    server.start()
    try:
        credentials = create_project(server, "sdk")
        subnet = network(server, credentials)
        elb = sdk_client(server, credentials["access_key"], credentials["secret_key"], credentials["project_id"])
        lb_option = CreateLoadBalancerOption(
            name="sdk-lb", availability_zone_list=["local-1a"], vip_subnet_cidr_id=subnet["neutron_subnet_id"], ip_target_enable=True
        )
        lb = elb.create_load_balancer(CreateLoadBalancerRequest(body=CreateLoadBalancerRequestBody(loadbalancer=lb_option))).loadbalancer
        listener_option = CreateListenerOption(loadbalancer_id=lb.id, protocol="HTTP", protocol_port=80, name="sdk-listener")
        listener = elb.create_listener(CreateListenerRequest(body=CreateListenerRequestBody(listener=listener_option))).listener
        pool_option = CreatePoolOption(protocol="HTTP", lb_algorithm="ROUND_ROBIN", listener_id=listener.id, name="sdk-pool")
        pool = elb.create_pool(CreatePoolRequest(body=CreatePoolRequestBody(pool=pool_option))).pool
        monitor_option = CreateHealthMonitorOption(pool_id=pool.id, type="HTTP", delay=5, timeout=3, max_retries=3, url_path="/")
        monitor = elb.create_health_monitor(
            CreateHealthMonitorRequest(body=CreateHealthMonitorRequestBody(healthmonitor=monitor_option))
        ).healthmonitor
        yield Cloud(server, credentials, elb, subnet, lb, listener, pool, monitor)
    finally:
        server.stop()


def test_sdk_builds_the_topology(cloud: Cloud) -> None:
    assert cloud.lb.name == "sdk-lb" and cloud.lb.vip_address.startswith("127.10.0.")
    assert cloud.lb.vip_subnet_cidr_id == cloud.subnet["neutron_subnet_id"] and cloud.lb.ip_target_enable is True
    assert [ref.id for ref in cloud.listener.loadbalancers] == [cloud.lb_id] and cloud.listener.protocol_port == 80
    assert [ref.id for ref in cloud.pool.listeners] == [cloud.listener_id] and cloud.pool.lb_algorithm == "ROUND_ROBIN"
    assert [ref.id for ref in cloud.monitor.pools] == [cloud.pool_id] and (cloud.monitor.delay, cloud.monitor.timeout) == (5, 3)


def test_create_member_returns_the_member(cloud: Cloud) -> None:
    member = cloud.create_member(name="sdk-member", weight=3)
    assert member.id and member.name == "sdk-member" and member.weight == 3
    assert member.protocol_port == 8080 and member.ip_version == "v4" and member.member_type == "instance"
    assert member.subnet_cidr_id == cloud.subnet["neutron_subnet_id"]
    assert [status.listener_id for status in member.status] == [cloud.listener_id]


def test_show_member_returns_what_create_returned(cloud: Cloud) -> None:
    created = cloud.create_member(name="shown")
    shown = cloud.elb.show_member(ShowMemberRequest(pool_id=cloud.pool_id, member_id=created.id)).member
    assert (shown.id, shown.address, shown.name, shown.weight) == (created.id, created.address, "shown", 1)


def test_list_members_pages_by_next_marker(cloud: Cloud) -> None:
    pool_id = cloud.new_pool()
    created = [cloud.create_member(pool_id).id for _ in range(7)]
    seen: list[str] = []
    marker: str | None = None
    for _ in range(10):
        page = cloud.elb.list_members(ListMembersRequest(pool_id=pool_id, limit=3, marker=marker))
        assert len(page.members) <= 3
        seen += [member.id for member in page.members]
        marker = page.page_info.next_marker
        if marker is None:
            break
    assert marker is None
    assert seen == created


def test_update_member_changes_the_weight(cloud: Cloud) -> None:
    member = cloud.create_member(weight=1)
    body = UpdateMemberRequestBody(member=UpdateMemberOption(weight=20))
    updated = cloud.elb.update_member(UpdateMemberRequest(pool_id=cloud.pool_id, member_id=member.id, body=body)).member
    assert updated.weight == 20
    assert cloud.elb.show_member(ShowMemberRequest(pool_id=cloud.pool_id, member_id=member.id)).member.weight == 20


def test_batch_create_members_reports_ret_status(cloud: Cloud) -> None:
    existing = cloud.create_member()
    fresh = BatchCreateMembersOption(address=next(_addresses), protocol_port=8080, subnet_cidr_id=cloud.subnet["neutron_subnet_id"])
    again = BatchCreateMembersOption(address=existing.address, protocol_port=8080, subnet_cidr_id=cloud.subnet["neutron_subnet_id"])
    body = BatchCreateMembersRequestBody(members=[fresh, again])
    response = cloud.elb.batch_create_members(BatchCreateMembersRequest(pool_id=cloud.pool_id, body=body))
    assert response.status_code == 200
    statuses = {member.address: member.ret_status for member in response.members}
    assert statuses == {fresh.address: "successful", existing.address: "existed"}


def test_deleted_member_is_gone(cloud: Cloud) -> None:
    member = cloud.create_member()
    deleted = cloud.elb.delete_member(DeleteMemberRequest(pool_id=cloud.pool_id, member_id=member.id))
    assert deleted.status_code == 204
    with pytest.raises(ClientRequestException) as raised:
        cloud.elb.show_member(ShowMemberRequest(pool_id=cloud.pool_id, member_id=member.id))
    assert (raised.value.status_code, raised.value.error_code) == (404, "ELB.8904")
    assert raised.value.request_id


def test_sdk_sets_a_pools_persistence_slow_start_and_draining(cloud: Cloud) -> None:
    option = CreatePoolOption(
        protocol="HTTP", lb_algorithm="ROUND_ROBIN", loadbalancer_id=cloud.lb_id,
        session_persistence=CreatePoolSessionPersistenceOption(type="APP_COOKIE", cookie_name="JSESSIONID"),
        slow_start=CreatePoolSlowStartOption(enable=True, duration=60), connection_drain=ConnectionDrain(enable=True, timeout=120),
    )
    pool = cloud.elb.create_pool(CreatePoolRequest(body=CreatePoolRequestBody(pool=option))).pool
    assert (pool.session_persistence.type, pool.session_persistence.cookie_name) == ("APP_COOKIE", "JSESSIONID")
    assert (pool.slow_start.enable, pool.slow_start.duration) == (True, 60)
    assert (pool.connection_drain.enable, pool.connection_drain.timeout) == (True, 120)
    change = UpdatePoolOption(
        session_persistence=UpdatePoolSessionPersistenceOption(type="HTTP_COOKIE", persistence_timeout=30),
        slow_start=UpdatePoolSlowStartOption(enable=False, duration=60), connection_drain=ConnectionDrain(enable=True, timeout=4000),
    )
    cloud.elb.update_pool(UpdatePoolRequest(pool_id=pool.id, body=UpdatePoolRequestBody(pool=change)))
    shown = cloud.elb.show_pool(ShowPoolRequest(pool_id=pool.id)).pool
    assert (shown.session_persistence.type, shown.session_persistence.persistence_timeout) == ("HTTP_COOKIE", 30)
    assert shown.slow_start.enable is False and shown.connection_drain.timeout == 4000


def test_sdk_hears_why_slow_start_is_refused(cloud: Cloud) -> None:
    option = CreatePoolOption(
        protocol="HTTP", lb_algorithm="LEAST_CONNECTIONS", loadbalancer_id=cloud.lb_id, slow_start=CreatePoolSlowStartOption(enable=True, duration=60)
    )
    with pytest.raises(ClientRequestException) as refused:
        cloud.elb.create_pool(CreatePoolRequest(body=CreatePoolRequestBody(pool=option)))
    assert refused.value.status_code == 400 and refused.value.error_code == "ELB.8902" and "ROUND_ROBIN" in refused.value.error_msg


def test_wrong_secret_key_is_refused_401(cloud: Cloud) -> None:
    with pytest.raises(ClientRequestException) as raised:
        cloud.client_with(cloud.credentials["secret_key"] + "x").list_members(ListMembersRequest(pool_id=cloud.pool_id))
    assert (raised.value.status_code, raised.value.error_code) == (401, "APIGW.0301")
    assert raised.value.request_id


def test_unknown_pool_is_404(cloud: Cloud) -> None:
    with pytest.raises(ClientRequestException) as raised:
        cloud.elb.list_members(ListMembersRequest(pool_id="00000000-0000-4000-8000-000000000000"))
    assert (raised.value.status_code, raised.value.error_code) == (404, "ELB.8904")


def test_sdk_creates_lists_updates_and_deletes_a_security_policy(cloud: Cloud) -> None:
    protocols, ciphers = ["TLSv1.2", "TLSv1.3"], ["ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"]
    option = CreateSecurityPolicyOption(name="sdk-policy", description="made by the SDK", protocols=protocols, ciphers=ciphers)
    created = cloud.elb.create_security_policy(CreateSecurityPolicyRequest(body=CreateSecurityPolicyRequestBody(security_policy=option)))
    policy = created.security_policy
    assert created.status_code == 201 and created.request_id
    assert (policy.name, policy.description, policy.protocols, policy.ciphers, policy.listeners) == ("sdk-policy", "made by the SDK", protocols, ciphers, [])
    assert policy.project_id == cloud.credentials["project_id"] and policy.enterprise_project_id == "0"
    shown = cloud.elb.show_security_policy(ShowSecurityPolicyRequest(security_policy_id=policy.id)).security_policy
    assert shown.to_dict() == policy.to_dict()
    # Each value of a list filter is one policy's protocols (separated by spaces) or ciphers (by colons).
    wanted = ListSecurityPoliciesRequest(name=["sdk-policy"], protocols=[" ".join(protocols)], ciphers=[":".join(ciphers)], limit=1)
    found = cloud.elb.list_security_policies(wanted)
    assert [one.id for one in found.security_policies] == [policy.id] and found.page_info.current_count == 1
    assert cloud.elb.list_security_policies(ListSecurityPoliciesRequest(protocols=protocols)).security_policies == []
    change = UpdateSecurityPolicyOption(protocols=["TLSv1.3"], ciphers=["TLS_AES_256_GCM_SHA384"])
    body = UpdateSecurityPolicyRequestBody(security_policy=change)
    updated = cloud.elb.update_security_policy(UpdateSecurityPolicyRequest(security_policy_id=policy.id, body=body)).security_policy
    assert (updated.name, updated.protocols, updated.ciphers) == ("sdk-policy", ["TLSv1.3"], ["TLS_AES_256_GCM_SHA384"])
    deleted = cloud.elb.delete_security_policy(DeleteSecurityPolicyRequest(security_policy_id=policy.id))
    assert deleted.status_code == 204
    with pytest.raises(ClientRequestException) as raised:
        cloud.elb.show_security_policy(ShowSecurityPolicyRequest(security_policy_id=policy.id))
    assert (raised.value.status_code, raised.value.error_code) == (404, "ELB.8904")


def test_sdk_hears_why_a_security_policy_is_refused(cloud: Cloud) -> None:
    option = CreateSecurityPolicyOption(protocols=["TLSv1", "TLSv1.2"], ciphers=["AES128-SHA"])
    with pytest.raises(ClientRequestException) as raised:
        cloud.elb.create_security_policy(CreateSecurityPolicyRequest(body=CreateSecurityPolicyRequestBody(security_policy=option)))
    assert (raised.value.status_code, raised.value.error_code) == (400, "ELB.8902")
    assert "TLSv1.1 is missing between TLSv1 and TLSv1.2" in raised.value.error_msg


def test_sdk_lists_the_system_security_policies(cloud: Cloud) -> None:
    policies = cloud.elb.list_system_security_policies(ListSystemSecurityPoliciesRequest()).system_security_policies
    by_name = {policy.name: policy for policy in policies}
    assert len(policies) == 10 and {"tls-1-2", "tls-1-0-inherit", "tls-1-2-strict-no-cbc"} <= set(by_name)
    assert (by_name["tls-1-2-fs-with-1-3"].protocols, by_name["tls-1-2"].protocols) == ("TLSv1.3 TLSv1.2", "TLSv1.2")
    assert by_name["tls-1-2-strict-no-cbc"].ciphers.split(":")[0] == "ECDHE-ECDSA-AES256-GCM-SHA384"
    assert {policy.project_id for policy in policies} == {cloud.credentials["project_id"]}
# certificates

ROOT = issue("SDK Test Root", ca=True)


def create_certificate(cloud: Cloud, **fields: Any) -> Any:
    body = CreateCertificateRequestBody(certificate=CreateCertificateOption(**fields))
    return cloud.elb.create_certificate(CreateCertificateRequest(body=body)).certificate


def set_echo(cloud: Cloud, on: bool) -> bool:
    body = CreateCertificatePrivateKeyEchoRequestBody(private_key_echo=on)
    return cloud.elb.create_certificate_private_key_echo(CreateCertificatePrivateKeyEchoRequest(body=body)).private_key_echo


def test_sdk_manages_a_server_certificate(cloud: Cloud) -> None:
    leaf = issue("www.example.com", names=["www.example.com", "*.example.com"], issuer=ROOT)
    made = create_certificate(cloud, name="sdk-server", type="server", certificate=chain(leaf, ROOT), private_key=leaf.key_pem, domain="www.example.com")
    assert (made.name, made.type, made.domain, made.common_name) == ("sdk-server", "server", "www.example.com", "www.example.com")
    assert made.subject_alternative_names == ["www.example.com", "*.example.com"] and made.fingerprint.startswith("SHA1 Fingerprint=")
    assert made.private_key == "*****" and made.expire_time.endswith("Z") and made.project_id == cloud.credentials["project_id"]
    assert cloud.elb.show_certificate(ShowCertificateRequest(certificate_id=made.id)).certificate.to_dict() == made.to_dict()
    renewed = issue("www.example.com", names=["www.example.com"], issuer=ROOT, key=leaf.key, days=90)
    body = UpdateCertificateRequestBody(certificate=UpdateCertificateOption(name="sdk-renewed", certificate=chain(renewed, ROOT)))
    updated = cloud.elb.update_certificate(UpdateCertificateRequest(certificate_id=made.id, body=body)).certificate
    assert (updated.name, updated.subject_alternative_names) == ("sdk-renewed", ["www.example.com"]) and updated.fingerprint != made.fingerprint
    listed = cloud.elb.list_certificates(ListCertificatesRequest(name=["sdk-renewed"], type=["server"], limit=10))
    assert [one.id for one in listed.certificates] == [made.id] and listed.page_info.current_count == 1
    assert cloud.elb.show_certificate_private_key_echo(ShowCertificatePrivateKeyEchoRequest()).private_key_echo is False
    try:
        assert set_echo(cloud, True) is True
        assert cloud.elb.show_certificate(ShowCertificateRequest(certificate_id=made.id)).certificate.private_key == leaf.key_pem
    finally:
        set_echo(cloud, False)
    assert cloud.elb.delete_certificate(DeleteCertificateRequest(certificate_id=made.id)).status_code == 204
    with pytest.raises(ClientRequestException) as raised:
        cloud.elb.show_certificate(ShowCertificateRequest(certificate_id=made.id))
    assert (raised.value.status_code, raised.value.error_code) == (404, "ELB.8904")


def test_sdk_manages_client_certificates_and_deletes_them_in_a_batch(cloud: Cloud) -> None:
    other = issue("SDK Other Root", ca=True)
    first = create_certificate(cloud, name="sdk-client", type="client", certificate=ROOT.certificate_pem)
    second = create_certificate(cloud, name="sdk-client", type="client", certificate=chain(other, ROOT))
    assert (first.type, first.private_key, first.common_name, second.common_name) == ("client", None, "SDK Test Root", "SDK Other Root")
    body = UpdateCertificateRequestBody(certificate=UpdateCertificateOption(description="both roots", certificate=chain(ROOT, other)))
    assert cloud.elb.update_certificate(UpdateCertificateRequest(certificate_id=first.id, body=body)).certificate.description == "both roots"
    listed = cloud.elb.list_certificates(ListCertificatesRequest(name=["sdk-client"], type=["client"]))
    assert [one.id for one in listed.certificates] == [first.id, second.id]
    missing = "0" * 32
    deleted = cloud.elb.batch_delete_certificates(
        BatchDeleteCertificatesRequest(body=BatchDeleteCertificatesRequestBody(certificates=[first.id, second.id, missing]))
    )
    assert [(one.id, one.ret_status) for one in deleted.certificates] == [(first.id, "successful"), (second.id, "successful"), (missing, "not found")]
    assert cloud.elb.list_certificates(ListCertificatesRequest(name=["sdk-client"])).certificates == []


def test_sdk_hears_why_a_certificate_is_refused(cloud: Cloud) -> None:
    leaf = issue("www.example.com", issuer=ROOT)
    with pytest.raises(ClientRequestException) as raised:
        create_certificate(cloud, type="server", certificate=chain(ROOT, leaf), private_key=leaf.key_pem)
    assert (raised.value.status_code, raised.value.error_code) == (400, "ELB.8902")
    assert "did not issue" in raised.value.error_msg and raised.value.request_id
    with pytest.raises(ClientRequestException) as raised:
        create_certificate(cloud, type="server_sm", certificate=leaf.certificate_pem, private_key=leaf.key_pem, enc_certificate=leaf.certificate_pem)
    assert (raised.value.status_code, raised.value.error_code) == (400, "ELB.8902") and "SM2" in raised.value.error_msg


def test_sdk_builds_an_https_listener_with_sni_and_mutual_tls_renews_its_certificate_and_deletes_it_all(cloud: Cloud) -> None:
    default_leaf = issue("www.example.com", names=["www.example.com"], issuer=ROOT)
    sni_leaf = issue("api.example.com", names=["api.example.com", "*.api.example.com"], issuer=ROOT)
    default = create_certificate(cloud, name="sdk-default", type="server", certificate=chain(default_leaf, ROOT), private_key=default_leaf.key_pem)
    sni = create_certificate(cloud, name="sdk-sni", type="server", certificate=chain(sni_leaf, ROOT), private_key=sni_leaf.key_pem)
    ca = create_certificate(cloud, name="sdk-client-ca", type="client", certificate=ROOT.certificate_pem)
    option = CreateListenerOption(
        loadbalancer_id=cloud.lb_id, protocol="HTTPS", protocol_port=443, name="sdk-https", default_tls_container_ref=default.id,
        sni_container_refs=[sni.id], client_ca_tls_container_ref=ca.id, tls_ciphers_policy="tls-1-2-fs-with-1-3", http2_enable=True,
    )
    listener = cloud.elb.create_listener(CreateListenerRequest(body=CreateListenerRequestBody(listener=option))).listener
    assert (listener.protocol, listener.default_tls_container_ref, listener.sni_container_refs, listener.client_ca_tls_container_ref) == (
        "HTTPS", default.id, [sni.id], ca.id)
    assert (listener.tls_ciphers_policy, listener.http2_enable, listener.sni_match_algo) == ("tls-1-2-fs-with-1-3", True, "wildcard")
    assert cloud.elb.show_listener(ShowListenerRequest(listener_id=listener.id)).listener.to_dict() == listener.to_dict()
    renewed = issue("www.example.com", names=["www.example.com"], issuer=ROOT, days=90)
    body = UpdateCertificateRequestBody(certificate=UpdateCertificateOption(certificate=chain(renewed, ROOT), private_key=renewed.key_pem))
    updated = cloud.elb.update_certificate(UpdateCertificateRequest(certificate_id=default.id, body=body)).certificate
    assert updated.fingerprint != default.fingerprint and updated.expire_time != default.expire_time
    with pytest.raises(ClientRequestException) as raised:  # in use: the listener goes first
        cloud.elb.delete_certificate(DeleteCertificateRequest(certificate_id=default.id))
    assert (raised.value.status_code, raised.value.error_code) == (409, "ELB.8907") and listener.id in raised.value.error_msg
    assert cloud.elb.delete_listener(DeleteListenerRequest(listener_id=listener.id)).status_code == 204
    for certificate in (default, sni, ca):
        assert cloud.elb.delete_certificate(DeleteCertificateRequest(certificate_id=certificate.id)).status_code == 204
    assert cloud.elb.list_certificates(ListCertificatesRequest(name=["sdk-default", "sdk-sni", "sdk-client-ca"])).certificates == []


def test_sdk_drives_forwarding_policies_and_rules_through_their_life(cloud: Cloud) -> None:
    """An HTTP listener turned enhanced, a weighted policy with inline rules, a rule of its own with
    conditions, a fixed response, a batch reorder, and all of it deleted: the SDK's own models each way."""
    elb = cloud.elb
    option = CreateListenerOption(loadbalancer_id=cloud.lb_id, protocol="HTTP", protocol_port=8081, name="sdk-l7")
    listener = elb.create_listener(CreateListenerRequest(body=CreateListenerRequestBody(listener=option))).listener
    assert listener.enhance_l7policy_enable is False
    enhance = UpdateListenerRequestBody(listener=UpdateListenerOption(enhance_l7policy_enable=True))
    assert elb.update_listener(UpdateListenerRequest(listener_id=listener.id, body=enhance)).listener.enhance_l7policy_enable is True
    pools = [cloud.new_pool(), cloud.new_pool()]
    policy_option = CreateL7PolicyOption(
        listener_id=listener.id,
        action="REDIRECT_TO_POOL",
        name="sdk-policy",
        redirect_pools_config=[CreateRedirectPoolsConfig(pool_id=pools[0], weight="3"), CreateRedirectPoolsConfig(pool_id=pools[1], weight="1")],
        rules=[
            CreateL7PolicyRuleOption(type="HOST_NAME", compare_type="EQUAL_TO", value="*.example.com"),
            CreateL7PolicyRuleOption(type="PATH", compare_type="STARTS_WITH", value="/api"),
        ],
    )
    policy = elb.create_l7_policy(CreateL7PolicyRequest(body=CreateL7PolicyRequestBody(l7policy=policy_option))).l7policy
    assert (policy.name, policy.priority, policy.provisioning_status, len(policy.rules)) == ("sdk-policy", 1, "ACTIVE", 2)
    assert [(entry.pool_id, entry.weight) for entry in policy.redirect_pools_config] == [(pools[0], 3), (pools[1], 1)]
    assert elb.show_l7_policy(ShowL7PolicyRequest(l7policy_id=policy.id)).l7policy.to_dict() == policy.to_dict()
    listed = elb.list_l7_policies(ListL7PoliciesRequest(listener_id=[listener.id])).l7policies
    assert [item.id for item in listed] == [policy.id]

    condition_rule = CreateRuleOption(type="HEADER", compare_type="EQUAL_TO", conditions=[CreateRuleCondition(key="X-Env", value="prod")])
    made_rule = elb.create_l7_rule(CreateL7RuleRequest(l7policy_id=policy.id, body=CreateL7RuleRequestBody(rule=condition_rule))).rule
    assert (made_rule.type, [(item.key, item.value) for item in made_rule.conditions]) == ("HEADER", [("X-Env", "prod")])
    assert elb.show_l7_rule(ShowL7RuleRequest(l7policy_id=policy.id, l7rule_id=made_rule.id)).rule.to_dict() == made_rule.to_dict()
    assert len(elb.list_l7_rules(ListL7RulesRequest(l7policy_id=policy.id)).rules) == 3
    assert [rule.id for rule in elb.list_all_l7_rules(ListAllL7RulesRequest(type=["HEADER"], l7policy_id=[policy.id])).rules] == [made_rule.id]
    rule_body = UpdateL7RuleRequestBody(rule=UpdateL7RuleOption(conditions=[UpdateRuleCondition(key="X-Env", value="stage")]))
    updated_rule = elb.update_l7_rule(UpdateL7RuleRequest(l7policy_id=policy.id, l7rule_id=made_rule.id, body=rule_body)).rule
    assert [item.value for item in updated_rule.conditions] == ["stage"]

    fixed_option = CreateL7PolicyOption(
        listener_id=listener.id,
        action="FIXED_RESPONSE",
        fixed_response_config=CreateFixtedResponseConfig(
            status_code="503", content_type="application/json", message_body='{"down": true}',
            insert_headers_config=CreateInsertHeadersConfig(configs=[CreateInsertHeaderConfig(key="Retry-After", value_type="USER_DEFINED", value="120")]),
            remove_headers_config=CreateRemoveHeadersConfig(configs=[CreateRemoveHeaderConfig(key="Server")]),
        ),
        rules=[CreateL7PolicyRuleOption(type="PATH", compare_type="EQUAL_TO", value="/maintenance")],
    )
    fixed = elb.create_l7_policy(CreateL7PolicyRequest(body=CreateL7PolicyRequestBody(l7policy=fixed_option))).l7policy
    assert (fixed.priority, fixed.fixed_response_config.status_code, fixed.fixed_response_config.message_body) == (2, "503", '{"down": true}')
    inserted = fixed.fixed_response_config.insert_headers_config.configs
    assert [(one.key, one.value_type, one.value) for one in inserted] == [("Retry-After", "USER_DEFINED", "120")]
    assert [one.key for one in fixed.fixed_response_config.remove_headers_config.configs] == ["Server"]
    renamed = elb.update_l7_policy(
        UpdateL7PolicyRequest(l7policy_id=policy.id, body=UpdateL7PolicyRequestBody(l7policy=UpdateL7PolicyOption(name="sdk-renamed")))
    ).l7policy
    assert renamed.name == "sdk-renamed"
    swap = [BatchUpdatePriorityRequestBody(id=policy.id, priority=2), BatchUpdatePriorityRequestBody(id=fixed.id, priority=1)]
    elb.batch_update_policies_priority(BatchUpdatePoliciesPriorityRequest(body=BatchUpdatePoliciesPriorityRequestBody(l7policies=swap)))
    shown = {item.id: item.priority for item in elb.list_l7_policies(ListL7PoliciesRequest(listener_id=[listener.id])).l7policies}
    assert shown == {policy.id: 2, fixed.id: 1}

    with pytest.raises(ClientRequestException) as raised:  # a rule the reference refuses
        bad = CreateRuleOption(type="PATH", compare_type="REGEX", value="^/(a+)+$")
        elb.create_l7_rule(CreateL7RuleRequest(l7policy_id=fixed.id, body=CreateL7RuleRequestBody(rule=bad)))
    assert (raised.value.status_code, raised.value.error_code) == (400, "ELB.8902") and "catastrophically" in raised.value.error_msg
    with pytest.raises(ClientRequestException) as raised:  # the listener has policies
        elb.delete_listener(DeleteListenerRequest(listener_id=listener.id))
    assert (raised.value.status_code, raised.value.error_code) == (409, "ELB.8907")

    assert elb.delete_l7_rule(DeleteL7RuleRequest(l7policy_id=policy.id, l7rule_id=made_rule.id)).status_code == 204
    for item in (policy, fixed):
        assert elb.delete_l7_policy(DeleteL7PolicyRequest(l7policy_id=item.id)).status_code == 204
    assert elb.list_l7_policies(ListL7PoliciesRequest(listener_id=[listener.id])).l7policies == []
    assert elb.delete_listener(DeleteListenerRequest(listener_id=listener.id)).status_code == 204


def run_member_check(cloud: Cloud, member_id: str) -> Any:
    """The SDK's create_member_health_check_job, then show_member_health_check_job until it is done (bounded)."""
    option = CreateMemberHealthCheckJobOption(listener_id=cloud.listener_id, subject="config")
    request = CreateMemberHealthCheckJobRequest(member_id=member_id, body=CreateMemberHealthCheckJobRequestBody(member_check=option))
    job_id = cloud.elb.create_member_health_check_job(request).member_check.job_id
    for _ in range(200):
        job = cloud.elb.show_member_health_check_job(ShowMemberHealthCheckJobRequest(job_id=job_id)).member_check
        if job.status != "processing":
            return job
        time.sleep(0.05)
    pytest.fail(f"check job {job_id} still processing")


def test_sdk_checks_a_member_on_demand(cloud: Cloud) -> None:
    address = next(_addresses)
    backend = FakeBackend("checked", address, free_port_on(address)).start()
    try:
        option = CreateMemberOption(address=address, protocol_port=backend.port, subnet_cidr_id=cloud.subnet["neutron_subnet_id"])
        create = CreateMemberRequest(pool_id=cloud.pool_id, body=CreateMemberRequestBody(member=option))
        healthy = cloud.elb.create_member(create).member
        job = run_member_check(cloud, healthy.id)
        assert job.status == "processed" and (job.member_id, job.listener_id) == (healthy.id, cloud.listener_id)
        assert job.result.config.check_result is True and job.result.config.check_items == []
        assert job.result.acl is None and job.result.security_group is None
    finally:
        backend.stop()
    refused = run_member_check(cloud, healthy.id)
    assert refused.result.config.check_result is False
    assert [item.reason_template for item in refused.result.config.check_items] == ["CONNECT_REFUSED"]


def test_sdk_drives_ip_address_groups_and_a_listeners_access_control(cloud: Cloud) -> None:
    """A group made, filled, replaced, trimmed, bound to a listener as a blacklist, switched off, and
    deleted once unbound: the SDK's own models each way."""
    elb = cloud.elb
    entries = [CreateIpGroupIpOption(ip="127.30.1.0/24", description="lab"), CreateIpGroupIpOption(ip="2001:0DB8:02de::0e12-2001:0DB8:02de::0e13")]
    option = CreateIpGroupOption(name="sdk-ipgroup", ip_list=entries)
    created = elb.create_ip_group(CreateIpGroupRequest(body=CreateIpGroupRequestBody(ipgroup=option)))
    group = created.ipgroup
    assert created.status_code == 201 and group.name == "sdk-ipgroup" and group.listeners == []
    assert [(one.ip, one.description) for one in group.ip_list] == [("127.30.1.0/24", "lab"), ("2001:db8:2de::e12-2001:db8:2de::e13", "")]
    assert elb.show_ip_group(ShowIpGroupRequest(ipgroup_id=group.id)).ipgroup.to_dict() == group.to_dict()
    assert [one.id for one in elb.list_ip_groups(ListIpGroupsRequest(name=["sdk-ipgroup"])).ipgroups] == [group.id]
    replace_body = UpdateIpGroupRequestBody(ipgroup=UpdateIpGroupOption(ip_list=[UpdateIpGroupIpOption(ip="127.30.2.1")]))
    replaced = elb.update_ip_group(UpdateIpGroupRequest(ipgroup_id=group.id, body=replace_body)).ipgroup
    assert [one.ip for one in replaced.ip_list] == ["127.30.2.1"]
    add_body = UpdateIpListRequestBody(ipgroup=UpdateIpListOption(ip_list=[UpdateIpGroupIpOption(ip="127.30.2.2-127.30.2.9")]))
    added = elb.update_ip_list(UpdateIpListRequest(ipgroup_id=group.id, body=add_body)).ipgroup
    assert [one.ip for one in added.ip_list] == ["127.30.2.1", "127.30.2.2-127.30.2.9"]
    trim_body = BatchDeleteIpListRequestBody(ipgroup=BatchDeleteIpListOption(ip_list=[IpGroupIp(ip="127.30.2.1")]))
    trimmed = elb.batch_delete_ip_list(BatchDeleteIpListRequest(ipgroup_id=group.id, body=trim_body)).ipgroup
    assert [one.ip for one in trimmed.ip_list] == ["127.30.2.2-127.30.2.9"]

    access = CreateListenerIpGroupOption(ipgroup_id=group.id, type="black")
    listener_option = CreateListenerOption(loadbalancer_id=cloud.lb_id, protocol="TCP", protocol_port=8082, ipgroup=access)
    listener = elb.create_listener(CreateListenerRequest(body=CreateListenerRequestBody(listener=listener_option))).listener
    assert (listener.ipgroup.ipgroup_id, listener.ipgroup.enable_ipgroup, listener.ipgroup.type) == (group.id, True, "black")
    related = elb.show_ip_group_related_listeners(ShowIpGroupRelatedListenersRequest(ipgroup_id=group.id)).listeners
    assert [one.id for one in related] == [listener.id]
    with pytest.raises(ClientRequestException) as raised:
        elb.delete_ip_group(DeleteIpGroupRequest(ipgroup_id=group.id))
    assert (raised.value.status_code, raised.value.error_code) == (409, "ELB.8907")
    switch_off = UpdateListenerRequestBody(listener=UpdateListenerOption(ipgroup=UpdateListenerIpGroupOption(ipgroup_id=group.id, enable_ipgroup=False)))
    updated = elb.update_listener(UpdateListenerRequest(listener_id=listener.id, body=switch_off)).listener
    assert (updated.ipgroup.enable_ipgroup, updated.ipgroup.type) == (False, "black")
    elb.delete_listener(DeleteListenerRequest(listener_id=listener.id))
    assert elb.delete_ip_group(DeleteIpGroupRequest(ipgroup_id=group.id)).status_code == 204
    with pytest.raises(ClientRequestException) as raised:
        elb.show_ip_group(ShowIpGroupRequest(ipgroup_id=group.id))
    assert (raised.value.status_code, raised.value.error_code) == (404, "ELB.8904")


def test_sdk_hears_why_an_ip_group_entry_is_refused(cloud: Cloud) -> None:
    option = CreateIpGroupOption(ip_list=[CreateIpGroupIpOption(ip="10.0.0.9-10.0.0.1")])
    with pytest.raises(ClientRequestException) as raised:
        cloud.elb.create_ip_group(CreateIpGroupRequest(body=CreateIpGroupRequestBody(ipgroup=option)))
    assert (raised.value.status_code, raised.value.error_code) == (400, "ELB.8902")
    assert "greater than its start" in raised.value.error_msg


@pytest.mark.skipif(udp_engine_missing() is not None, reason="needs nginx and its stream module (make bench-tools)")
def test_sdk_builds_a_udp_listener_pool_udp_connect_monitor_and_members(cloud: Cloud) -> None:
    listener_option = CreateListenerOption(loadbalancer_id=cloud.lb_id, protocol="UDP", protocol_port=5353, name="sdk-udp")
    listener = cloud.elb.create_listener(CreateListenerRequest(body=CreateListenerRequestBody(listener=listener_option))).listener
    pool_option = CreatePoolOption(
        protocol="UDP", lb_algorithm="SOURCE_IP", listener_id=listener.id, name="sdk-udp-pool",
        session_persistence=CreatePoolSessionPersistenceOption(type="SOURCE_IP", persistence_timeout=5),
    )
    pool = cloud.elb.create_pool(CreatePoolRequest(body=CreatePoolRequestBody(pool=pool_option))).pool
    monitor_option = CreateHealthMonitorOption(pool_id=pool.id, type="UDP_CONNECT", delay=2, timeout=1, max_retries=2, max_retries_down=3)
    monitor = cloud.elb.create_health_monitor(CreateHealthMonitorRequest(body=CreateHealthMonitorRequestBody(healthmonitor=monitor_option))).healthmonitor
    members = [cloud.create_member(pool_id=pool.id, weight=weight) for weight in (1, 5)]
    assert (listener.protocol, listener.protocol_port) == ("UDP", 5353)
    assert (pool.protocol, [ref.id for ref in pool.listeners]) == ("UDP", [listener.id])
    assert (monitor.type, monitor.delay, monitor.max_retries_down, [ref.id for ref in monitor.pools]) == ("UDP_CONNECT", 2, 3, [pool.id])
    shown = cloud.elb.show_pool(ShowPoolRequest(pool_id=pool.id)).pool
    assert {ref.id for ref in shown.members} == {member.id for member in members} and shown.healthmonitor_id == monitor.id
