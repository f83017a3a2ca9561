"""The answers of /v3/{project_id}/elb/l7policies and their rules (the SDK's L7Policy and L7Rule)."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, PageInfo, shape


@shape
class RuleCondition(TypedDict):
    key: str
    value: str


@shape
class L7Rule(TypedDict):
    id: str
    type: str
    compare_type: str
    key: str | None
    value: str
    conditions: list[RuleCondition]
    invert: bool
    admin_state_up: bool
    provisioning_status: str
    project_id: str
    created_at: str
    updated_at: str


@shape
class RedirectPoolsConfig(TypedDict):
    pool_id: str
    weight: int


@shape
class StickySessionConfig(TypedDict):
    enable: bool
    timeout: int


@shape
class InsertedHeader(TypedDict):
    key: str
    value_type: str
    value: str


@shape
class InsertedHeaders(TypedDict):
    configs: list[InsertedHeader]


@shape
class RemovedHeader(TypedDict):
    key: str


@shape
class RemovedHeaders(TypedDict):
    configs: list[RemovedHeader]


@shape
class RedirectUrlConfig(TypedDict):
    protocol: str
    host: str
    port: str
    path: str
    query: str
    status_code: str
    insert_headers_config: InsertedHeaders | None
    remove_headers_config: RemovedHeaders | None


@shape
class FixedResponseConfig(TypedDict):
    status_code: str
    content_type: str
    message_body: str
    insert_headers_config: InsertedHeaders | None
    remove_headers_config: RemovedHeaders | None
    traffic_limit_config: None


@shape
class L7Policy(TypedDict):
    id: str
    name: str
    description: str
    action: str
    admin_state_up: bool
    listener_id: str
    position: int
    priority: int
    project_id: str
    enterprise_project_id: str
    provisioning_status: str
    redirect_pool_id: str | None
    redirect_listener_id: str | None
    redirect_url: None
    rules: list[IdRef | L7Rule]  # ids, or whole rules when listed with display_all_rules=true
    redirect_url_config: RedirectUrlConfig | None
    redirect_pools_config: list[RedirectPoolsConfig]
    redirect_pools_sticky_session_config: StickySessionConfig | None
    redirect_pools_extend_config: None
    fixed_response_config: FixedResponseConfig | None
    created_at: str
    updated_at: str


@shape
class L7PolicyReply(TypedDict):
    l7policy: L7Policy
    request_id: str


@shape
class L7PolicyPage(TypedDict):
    l7policies: list[L7Policy]
    page_info: PageInfo
    request_id: str


@shape
class L7RuleReply(TypedDict):
    rule: L7Rule
    request_id: str


@shape
class L7RulePage(TypedDict):
    rules: list[L7Rule]
    page_info: PageInfo
    request_id: str


@shape
class PrioritiesReply(TypedDict):
    request_id: str
