"""The tables of elbd. Uniqueness rules live here as constraints so they hold under concurrency."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime()}


ID = String(36)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    domain_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("domain_name", "name"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    domain_name: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))


class AccessKey(Base):
    """The secret key is stored sealed (store/secret_box.py, bound to `access_key`), never in clear."""

    __tablename__ = "access_keys"
    access_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    secret_key_sealed: Mapped[str] = mapped_column(String(255))


class Token(Base):
    __tablename__ = "tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)  # each token issued removes the expired ones


class QuotaOverride(Base):
    __tablename__ = "quota_overrides"
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    resource: Mapped[str] = mapped_column(String(64), primary_key=True)
    limit: Mapped[int]


class Vpc(Base):
    __tablename__ = "vpcs"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(255))
    cidr: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Subnet(Base):
    """A VPC subnet: `id` is also its neutron_network_id; the IPv4 part has its own neutron_subnet_id."""

    __tablename__ = "subnets"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32), index=True)
    vpc_id: Mapped[str] = mapped_column(ForeignKey("vpcs.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(255))
    cidr: Mapped[str] = mapped_column(String(64))
    gateway_ip: Mapped[str] = mapped_column(String(64))
    neutron_subnet_id: Mapped[str] = mapped_column(ID, unique=True)
    cidr_v6: Mapped[str | None] = mapped_column(String(64))
    gateway_ip_v6: Mapped[str | None] = mapped_column(String(64))
    neutron_subnet_id_v6: Mapped[str | None] = mapped_column(ID, unique=True)
    availability_zone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Instance(Base):
    """A registered instance (ECS). No VM runs: it only says who owns which address and whether it runs.

    ECS calls it a server, and so do its tables (named before the class was)."""

    __tablename__ = "servers"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]




class InstanceNic(Base):
    __tablename__ = "server_nics"
    __table_args__ = (UniqueConstraint("subnet_id", "ip_address"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    instance_id: Mapped[str] = mapped_column("server_id", ForeignKey("servers.id", ondelete="CASCADE"), index=True)
    subnet_id: Mapped[str] = mapped_column(ForeignKey("subnets.id"))
    ip_address: Mapped[str] = mapped_column(String(64), index=True)


class LoadBalancer(Base):
    __tablename__ = "loadbalancers"
    __table_args__ = (
        UniqueConstraint("vip_subnet_cidr_id", "vip_address"),
        UniqueConstraint("ipv6_vip_virsubnet_id", "ipv6_vip_address"),
        # one network namespace for every load balancer on the host: a VIP is one load balancer's
        Index("ux_loadbalancers_vip_address", "vip_address", unique=True),
        Index("ux_loadbalancers_ipv6_vip_address", "ipv6_vip_address", unique=True),
        Index("ix_loadbalancers_page", "project_id", "created_at", "id"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255))
    vpc_id: Mapped[str] = mapped_column(ForeignKey("vpcs.id"))
    vip_subnet_cidr_id: Mapped[str | None] = mapped_column(ID)
    vip_address: Mapped[str | None] = mapped_column(String(64))
    vip_port_id: Mapped[str | None] = mapped_column(ID)
    ipv6_vip_virsubnet_id: Mapped[str | None] = mapped_column(ID)
    ipv6_vip_address: Mapped[str | None] = mapped_column(String(64))
    ipv6_vip_port_id: Mapped[str | None] = mapped_column(ID)
    elb_virsubnet_ids: Mapped[list[Any]]
    availability_zone_list: Mapped[list[Any]]
    ip_target_enable: Mapped[bool] = mapped_column(Boolean)
    admin_state_up: Mapped[bool] = mapped_column(Boolean)
    deletion_protection_enable: Mapped[bool] = mapped_column(Boolean)
    provisioning_status: Mapped[str] = mapped_column(String(16))
    operating_status: Mapped[str] = mapped_column(String(16))
    l4_flavor_id: Mapped[str | None] = mapped_column(ID)
    l7_flavor_id: Mapped[str | None] = mapped_column(ID)
    tags: Mapped[list[Any]]
    protection_status: Mapped[str] = mapped_column(String(32))
    protection_reason: Mapped[str | None] = mapped_column(String(255))
    enterprise_project_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Listener(Base):
    """`transport` is tcp or udp: listeners of one transport share no port on a load balancer."""

    __tablename__ = "listeners"
    __table_args__ = (
        UniqueConstraint("loadbalancer_id", "transport", "protocol_port"),
        Index("ix_listeners_page", "project_id", "created_at", "id"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    loadbalancer_id: Mapped[str] = mapped_column(ForeignKey("loadbalancers.id"), index=True)
    default_pool_id: Mapped[str | None] = mapped_column(ForeignKey("pools.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255))
    protocol: Mapped[str] = mapped_column(String(16))
    protocol_port: Mapped[int] = mapped_column(Integer)
    transport: Mapped[str] = mapped_column(String(3))
    admin_state_up: Mapped[bool] = mapped_column(Boolean)
    http2_enable: Mapped[bool] = mapped_column(Boolean)
    keepalive_timeout: Mapped[int] = mapped_column(Integer)
    client_timeout: Mapped[int | None] = mapped_column(Integer)
    member_timeout: Mapped[int | None] = mapped_column(Integer)
    default_tls_container_ref: Mapped[str | None] = mapped_column(String(128))
    client_ca_tls_container_ref: Mapped[str | None] = mapped_column(String(128))
    sni_container_refs: Mapped[list[Any]]
    tls_ciphers_policy: Mapped[str | None] = mapped_column(String(64))
    security_policy_id: Mapped[str | None] = mapped_column(ForeignKey("security_policies.id"), index=True)
    sni_match_algo: Mapped[str | None] = mapped_column(String(16))
    enable_member_retry: Mapped[bool] = mapped_column(Boolean)
    insert_headers: Mapped[dict[str, Any]]
    tags: Mapped[list[Any]]
    protection_status: Mapped[str] = mapped_column(String(32))
    protection_reason: Mapped[str | None] = mapped_column(String(255))
    # advanced forwarding (priorities, every action and rule type); once on, it stays on
    enhance_l7policy_enable: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # limits per second of new connections and of concurrent connections; 0 is unlimited
    cps: Mapped[int] = mapped_column(Integer, server_default="0")
    connection: Mapped[int] = mapped_column(Integer, server_default="0")
    # access control by IP address groups (listener_ip_groups): both null while it names none
    ipgroup_enable: Mapped[bool | None] = mapped_column(Boolean)
    ipgroup_type: Mapped[str | None] = mapped_column(String(8))  # white or black
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Pool(Base):
    __tablename__ = "pools"
    __table_args__ = (Index("ix_pools_page", "project_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    loadbalancer_id: Mapped[str | None] = mapped_column(ForeignKey("loadbalancers.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255))
    protocol: Mapped[str] = mapped_column(String(16))
    lb_algorithm: Mapped[str] = mapped_column(String(32))
    ip_version: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    vpc_id: Mapped[str] = mapped_column(String(36))
    admin_state_up: Mapped[bool] = mapped_column(Boolean)
    member_deletion_protection_enable: Mapped[bool] = mapped_column(Boolean)
    any_port_enable: Mapped[bool] = mapped_column(Boolean)
    elbd_connection_reuse: Mapped[bool] = mapped_column(Boolean, server_default=true())  # an elbd extension
    # an active/standby pool (/elb/master-slave-pools): made whole with its two members and its check, never changed
    master_slave: Mapped[bool] = mapped_column(Boolean, server_default=false())
    session_persistence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    slow_start: Mapped[dict[str, Any]]
    connection_drain: Mapped[dict[str, Any]]
    pool_health: Mapped[dict[str, Any]]
    quic_cid_hash_strategy: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    protection_status: Mapped[str] = mapped_column(String(32))
    protection_reason: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HealthMonitor(Base):
    __tablename__ = "healthmonitors"
    __table_args__ = (Index("ix_healthmonitors_page", "project_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    pool_id: Mapped[str] = mapped_column(ForeignKey("pools.id"), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16))
    delay: Mapped[int] = mapped_column(Integer)
    timeout: Mapped[int] = mapped_column(Integer)
    max_retries: Mapped[int] = mapped_column(Integer)
    max_retries_down: Mapped[int] = mapped_column(Integer)
    monitor_port: Mapped[int | None] = mapped_column(Integer)
    url_path: Mapped[str] = mapped_column(String(80))
    http_method: Mapped[str] = mapped_column(String(16))
    domain_name: Mapped[str | None] = mapped_column(String(100))
    expected_codes: Mapped[str] = mapped_column(String(64))
    admin_state_up: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Member(Base):
    """A backend server. The health_* columns hold the last result the data plane reported."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("pool_id", "address", "protocol_port", name="uq_members_pool_address_port"),
        Index("ix_members_pool_page", "pool_id", "created_at", "id"),
        Index("ix_members_project_page", "project_id", "created_at", "id"),
        Index("ix_members_address", "address"),  # a VIP may not be a member's address, nor a member a VIP
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    pool_id: Mapped[str] = mapped_column(ForeignKey("pools.id"))
    name: Mapped[str] = mapped_column(String(255))
    address: Mapped[str] = mapped_column(String(64))
    protocol_port: Mapped[int] = mapped_column(Integer)
    subnet_cidr_id: Mapped[str | None] = mapped_column(ID)
    ip_version: Mapped[str] = mapped_column(String(2))
    member_type: Mapped[str] = mapped_column(String(16))
    instance_id: Mapped[str] = mapped_column(String(36))
    availability_zone: Mapped[str] = mapped_column(String(64))
    weight: Mapped[int] = mapped_column(Integer)
    health_status: Mapped[str | None] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    expected_response: Mapped[str | None] = mapped_column(String(64))
    healthcheck_response: Mapped[str | None] = mapped_column(String(64))
    health_changed_at: Mapped[datetime | None]
    role: Mapped[str | None] = mapped_column(String(8))  # master or slave in an active/standby pool; None elsewhere
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # its last health transitions (store/health_timeline.py), which go with it
    health_events: Mapped[list["MemberHealthEvent"]] = relationship(cascade="all, delete-orphan", passive_deletes=False)


class MemberHealthEvent(Base):
    """One transition of a member's health as the data plane reported it: from and to (ONLINE, OFFLINE,
    or None before any check had a result), and for OFFLINE the reason. The newest TIMELINE_LENGTH are kept."""

    __tablename__ = "member_health_events"
    __table_args__ = (Index("ix_member_health_events_member", "member_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    expected_response: Mapped[str | None] = mapped_column(String(64))
    healthcheck_response: Mapped[str | None] = mapped_column(String(64))


class DataplaneStatus(Base):
    """How the last attempt to apply a load balancer's configuration went (ACTIVE or ERROR)."""

    __tablename__ = "dataplane_status"
    loadbalancer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(2000))
    # listener id -> its frontend's status in the running HAProxy (OPEN serves); a listener absent is not served
    listeners: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    updated_at: Mapped[datetime]


class Certificate(Base):
    """A server certificate (chain and private key) or a client one (a CA bundle for mutual TLS).

    The private key is stored sealed (store/secret_box.py, bound to the certificate id), never in clear.
    `common_name` to `expire_time` are read from the certificate itself when it is stored."""

    __tablename__ = "certificates"
    __table_args__ = (Index("ix_certificates_page", "project_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16))
    certificate: Mapped[str] = mapped_column(Text)
    private_key_sealed: Mapped[str | None] = mapped_column(Text)
    domain: Mapped[str | None] = mapped_column(Text)
    common_name: Mapped[str] = mapped_column(String(255))
    subject_alternative_names: Mapped[list[Any]]
    fingerprint: Mapped[str] = mapped_column(String(128))
    expire_time: Mapped[datetime]
    admin_state_up: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(32))
    scm_certificate_id: Mapped[str] = mapped_column(String(64))
    protection_status: Mapped[str] = mapped_column(String(32))
    protection_reason: Mapped[str | None] = mapped_column(String(255))
    enterprise_project_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CertificateSettings(Base):
    """A project's certificate settings; a project with no row has the defaults (private-key echo off)."""

    __tablename__ = "certificate_settings"
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    private_key_echo: Mapped[bool] = mapped_column(Boolean)


class ListenerCertificate(Base):
    """Which certificates a listener uses, and as what: `default`, `sni` or `client_ca`.

    Kept beside the listener's own reference fields so that "who uses this certificate" is an indexed
    lookup (deletion refused while in use, a rotation reaching every listener), and so that the foreign
    key refuses to delete a certificate in use even under concurrency."""

    __tablename__ = "listener_certificates"
    listener_id: Mapped[str] = mapped_column(ForeignKey("listeners.id", ondelete="CASCADE"), primary_key=True)
    certificate_id: Mapped[str] = mapped_column(ForeignKey("certificates.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class IpGroup(Base):
    """A project's IP address group. `ip_list` is [{ip, description}], each ip in the canonical spelling
    of ip_entries.py, no ip twice."""

    __tablename__ = "ip_groups"
    __table_args__ = (Index("ix_ip_groups_page", "project_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255))
    ip_list: Mapped[list[Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ListenerIpGroup(Base):
    """The IP address groups a listener's access control names, in the order given. The foreign key
    refuses to delete a group in use even under concurrency."""

    __tablename__ = "listener_ip_groups"
    listener_id: Mapped[str] = mapped_column(ForeignKey("listeners.id", ondelete="CASCADE"), primary_key=True)
    ipgroup_id: Mapped[str] = mapped_column(ForeignKey("ip_groups.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)


class SecurityPolicy(Base):
    """A project's own TLS security policy: the protocols and cipher suites its listeners accept."""

    __tablename__ = "security_policies"
    __table_args__ = (Index("ix_security_policies_page", "project_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255))
    protocols: Mapped[list[Any]]
    ciphers: Mapped[list[Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Logtank(Base):
    """A load balancer's access log (one at most): while it exists, HAProxy logs each request and
    connection of the load balancer's listeners to the file under the data directory. The log group
    and topic are the API's names for where the log goes, kept as given (elbd has no log service)."""

    __tablename__ = "logtanks"
    __table_args__ = (
        Index("ix_logtanks_page", "project_id", "created_at", "id"),
        Index("ux_logtanks_loadbalancer_id", "loadbalancer_id", unique=True),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    loadbalancer_id: Mapped[str] = mapped_column(ForeignKey("loadbalancers.id"))
    log_group_id: Mapped[str] = mapped_column(String(36))
    log_topic_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime]


class L7Policy(Base):
    """A forwarding policy of an HTTP or HTTPS listener: where requests its rules all match go.

    `redirect_pools_config` is [{pool_id, weight}] (redirect_pool_id alone is stored as one pool of
    weight 1 there too); the *_config columns hold the checked request values, defaults filled in.
    `provisioning_status` is ERROR when another policy of the listener has the same rules
    (service/l7_duplicates.py)."""

    __tablename__ = "l7policies"
    __table_args__ = (Index("ix_l7policies_page", "project_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    listener_id: Mapped[str] = mapped_column(ForeignKey("listeners.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer)
    admin_state_up: Mapped[bool] = mapped_column(Boolean)
    provisioning_status: Mapped[str] = mapped_column(String(16))
    redirect_pool_id: Mapped[str | None] = mapped_column(ForeignKey("pools.id"), index=True)
    redirect_listener_id: Mapped[str | None] = mapped_column(ForeignKey("listeners.id"), index=True)
    redirect_pools_config: Mapped[list[Any]]
    redirect_pools_sticky_session_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    redirect_url_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    fixed_response_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class L7Rule(Base):
    """A forwarding rule of a policy: one match (HOST_NAME, PATH, ...). `conditions` is [{key, value}]
    (values OR-ed, one key); without conditions, `value` (and no key) is the match."""

    __tablename__ = "l7rules"
    __table_args__ = (
        Index("ix_l7rules_policy_page", "l7policy_id", "created_at", "id"),
        Index("ix_l7rules_project_page", "project_id", "created_at", "id"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    l7policy_id: Mapped[str] = mapped_column(ForeignKey("l7policies.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    compare_type: Mapped[str] = mapped_column(String(16))
    key: Mapped[str | None] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(128))
    conditions: Mapped[list[Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MemberCheckJob(Base):
    """An on-demand check of a member (POST .../members/{id}/health-check) and, once run, its result:
    `reason_code` None when it passed. In the database so that any API replica answers its GET; the
    member and listener may be deleted meanwhile, so they are plain ids. Kept for a day."""

    __tablename__ = "member_check_jobs"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[str] = mapped_column(ID)
    listener_id: Mapped[str] = mapped_column(ID)
    subject: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # processing, processed, failed
    reason_code: Mapped[str | None] = mapped_column(String(32))
    expected_response: Mapped[str | None] = mapped_column(String(64))
    healthcheck_response: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class Job(Base):
    """A record of an operation the API runs as a job (batch deletes): elbd carries it out within the
    request, so a job is COMPLETE once its request answers. `sub_jobs` holds one entry per resource."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_page", "project_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    job_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    resource_id: Mapped[str | None] = mapped_column(ID)
    sub_jobs: Mapped[list[Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RecycleBinSettings(Base):
    """A project's recycle bin: whether deleted load balancers go there, and for how long (service/recycle_bin.py).
    No row is the default: the bin off, recycle_policy.DEFAULT_POLICY."""

    __tablename__ = "recycle_bin_settings"
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    enable: Mapped[bool] = mapped_column(Boolean)
    retention_hour: Mapped[int] = mapped_column(Integer)
    recycle_threshold_hour: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RecycledLoadBalancer(Base):
    """A deleted load balancer in its project's recycle bin: the rows its delete removed (`rows`, to put
    back on restore) and its VIPs, held here (unique, as on live load balancers) until it is restored
    or purged. `created_at` is the load balancer's own, so the bin lists in the order the live list does."""

    __tablename__ = "recycled_loadbalancers"
    __table_args__ = (
        Index("ux_recycled_loadbalancers_vip_address", "vip_address", unique=True),
        Index("ux_recycled_loadbalancers_ipv6_vip_address", "ipv6_vip_address", unique=True),
        Index("ix_recycled_loadbalancers_page", "project_id", "created_at", "id"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    vpc_id: Mapped[str] = mapped_column(String(36))
    vip_subnet_cidr_id: Mapped[str | None] = mapped_column(ID)
    vip_address: Mapped[str | None] = mapped_column(String(64))
    ipv6_vip_virsubnet_id: Mapped[str | None] = mapped_column(ID)
    ipv6_vip_address: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    recycled_at: Mapped[datetime]
    auto_terminate_at: Mapped[datetime] = mapped_column(index=True)


class Node(Base):
    """A data-plane agent (`elbd agent --node NAME`) and when it last renewed, on the database's clock."""

    __tablename__ = "nodes"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    heartbeat_at: Mapped[datetime]


class Placement(Base):
    """Which node serves a load balancer: its lease (until `lease_until`, the database's clock) and the
    fencing epoch, raised each time the lease changes hands, that every status and health write of the
    node must still match. `config_version` counts the committed changes of the load balancer (the
    agents' resync compares it), `applied_version` the last of them the holding node has brought to its
    data plane (an API replica's answer that waits for the data plane compares the two); `moving_to`
    names the node an operator moves it to."""

    __tablename__ = "placements"
    loadbalancer_id: Mapped[str] = mapped_column(ForeignKey("loadbalancers.id", ondelete="CASCADE"), primary_key=True)
    node: Mapped[str] = mapped_column(String(64), index=True)
    epoch: Mapped[int] = mapped_column(Integer)
    lease_until: Mapped[datetime]
    config_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    applied_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    moving_to: Mapped[str | None] = mapped_column(String(64))
