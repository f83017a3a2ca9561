"""Request bodies of /v3/{project_id}/elb/l7policies and their rules (CreateL7PolicyOption,
UpdateL7PolicyOption, CreateRuleOption, UpdateL7RuleOption and the batch priority update of the
official SDK). Lengths are bounded here; every value's characters are checked in l7_values.py."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from elbd.l7_limits import MAX_POOLS, MAX_RULES
from elbd.schemas.base import Description, Name, ProjectIdField, ResourceId, Strict
from elbd.schemas.unserved import L7_RESPONSE_CONFIGS, L7POLICIES, L7RULES, note

Action = Literal["REDIRECT_TO_POOL", "REDIRECT_TO_LISTENER", "REDIRECT_TO_URL", "FIXED_RESPONSE"]
RuleType = Literal["HOST_NAME", "PATH", "METHOD", "HEADER", "QUERY_STRING", "SOURCE_IP", "COOKIE"]
CompareType = Literal["EQUAL_TO", "REGEX", "STARTS_WITH"]
MatchText = Annotated[str, StringConstraints(max_length=128)]
ConfigText = Annotated[str, StringConstraints(max_length=128)]
MessageBody = Annotated[str, StringConstraints(max_length=1024)]
Priority = Annotated[int, Field(ge=0, le=10000)]
# The SDK's CreateRedirectPoolsConfig sends the weight as a string ("1"); a JSON number is taken too.
Weight = int | Annotated[str, StringConstraints(pattern=r"^[0-9]{1,3}$")]
MAX_HEADER_CHANGES = 10
MAX_BATCH = 2000


class L7RuleConditionOption(Strict):
    key: MatchText = Field(description="\"\" for HOST_NAME, PATH, METHOD and SOURCE_IP; the header, query-string or cookie name otherwise.")
    value: MatchText


class _L7RuleSettings(Strict):
    compare_type: CompareType | None = None
    value: MatchText | None = Field(None, description="Without conditions: the host name or path to match.")
    key: MatchText | None = Field(None, description=note(L7RULES, "key"))
    invert: bool | None = Field(None, description=note(L7RULES, "invert"))
    admin_state_up: bool | None = Field(None, description=note(L7RULES, "admin_state_up"))
    conditions: list[L7RuleConditionOption] | None = Field(None, max_length=MAX_RULES, description="Needs enhance_l7policy_enable; values are OR-ed.")


class L7RuleCreate(_L7RuleSettings):
    type: RuleType
    compare_type: CompareType
    project_id: ProjectIdField | None = None


class L7RuleCreateRequest(Strict):
    rule: L7RuleCreate


class L7RuleUpdate(_L7RuleSettings):
    pass


class L7RuleUpdateRequest(Strict):
    rule: L7RuleUpdate


class RedirectPoolOption(Strict):
    pool_id: ResourceId
    weight: Weight | None = Field(None, description="0-100, default 1.")


class StickySessionOption(Strict):
    enable: bool | None = None
    timeout: int | None = Field(None, ge=0, le=1440, description="Minutes, 1-1440; 0 or left out: 1440.")


class HeaderInsertOption(Strict):
    key: ConfigText
    value_type: Literal["USER_DEFINED", "REFERENCE_HEADER", "SYSTEM_DEFINED"]
    value: ConfigText


class HeaderInsertsOption(Strict):
    configs: list[HeaderInsertOption] = Field(default_factory=list, max_length=MAX_HEADER_CHANGES)


class HeaderRemoveOption(Strict):
    key: ConfigText


class HeaderRemovesOption(Strict):
    configs: list[HeaderRemoveOption] = Field(default_factory=list, max_length=MAX_HEADER_CHANGES)


class _HeadersAndLimits(Strict):
    """The headers a redirect's or a fixed response's answer gets, or loses."""

    insert_headers_config: HeaderInsertsOption | None = None
    remove_headers_config: HeaderRemovesOption | None = None


class RedirectUrlOption(_HeadersAndLimits):
    protocol: ConfigText | None = Field(None, description="HTTP, HTTPS or ${protocol} (default; \"\" too).")
    host: ConfigText | None = Field(None, description="Default (and \"\"): ${host}.")
    port: ConfigText | None = Field(None, description="Default (and \"\"): ${port}.")
    path: ConfigText | None = Field(None, description="Default (and \"\"): ${path}.")
    query: ConfigText | None = Field(None, description="Default (and \"\"): ${query}.")
    status_code: ConfigText | None = Field(None, description="301, 302, 303, 307 or 308; required at creation.")


class FixedResponseOption(_HeadersAndLimits):
    status_code: ConfigText | None = Field(None, description="200-299, 400-499 or 500-599, as a string; required at creation.")
    content_type: ConfigText | None = Field(None, description="Default text/plain.")
    message_body: MessageBody | None = Field(None, description="Printable ASCII, at most 1024 characters.")
    traffic_limit_config: dict | None = Field(None, description=note(L7_RESPONSE_CONFIGS, "traffic_limit_config"))


class _L7PolicySettings(Strict):
    name: Name | None = None
    description: Description | None = None
    admin_state_up: bool | None = Field(None, description=note(L7POLICIES, "admin_state_up"))
    priority: Priority | None = Field(None, description="Needs enhance_l7policy_enable: 1-10000 (0-10000 for REDIRECT_TO_LISTENER), unique per listener.")
    redirect_pool_id: ResourceId | None = None
    redirect_listener_id: ResourceId | None = None
    redirect_pools_config: list[RedirectPoolOption] | None = Field(None, max_length=MAX_POOLS)
    redirect_pools_sticky_session_config: StickySessionOption | None = None
    redirect_url_config: RedirectUrlOption | None = None
    fixed_response_config: FixedResponseOption | None = None
    redirect_pools_extend_config: dict | None = Field(None, description=note(L7POLICIES, "redirect_pools_extend_config"))
    rules: list[L7RuleCreate] | None = Field(None, max_length=MAX_RULES)


class L7PolicyCreate(_L7PolicySettings):
    listener_id: ResourceId
    action: Action
    project_id: ProjectIdField | None = None
    position: int | None = Field(None, description=note(L7POLICIES, "position"))
    redirect_url: Annotated[str, StringConstraints(max_length=255)] | None = Field(None, description=note(L7POLICIES, "redirect_url"))


class L7PolicyCreateRequest(Strict):
    l7policy: L7PolicyCreate


class L7PolicyUpdate(_L7PolicySettings):
    pass


class L7PolicyUpdateRequest(Strict):
    l7policy: L7PolicyUpdate


class PriorityChange(Strict):
    id: ResourceId
    priority: Priority


class L7PrioritiesRequest(Strict):
    l7policies: list[PriorityChange] = Field(min_length=1, max_length=MAX_BATCH)
