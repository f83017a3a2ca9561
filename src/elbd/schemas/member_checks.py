"""The body of POST /v3/{project_id}/elb/members/{member_id}/health-check (the SDK's CreateMemberHealthCheckJobOption)."""

from typing import Literal

from pydantic import Field

from elbd.schemas.base import ResourceId, Strict


class MemberCheckCreate(Strict):
    listener_id: ResourceId = Field(description="A listener of the member's project that forwards to the member's backend server group.")
    subject: Literal["securityGroup", "networkAcl", "config", "all"] = Field(
        description="`config` and `all` check the member now with its pool's health monitor; elbd has no security groups "
        "or network ACLs, so `securityGroup` and `networkAcl` are refused."
    )


class MemberCheckCreateRequest(Strict):
    member_check: MemberCheckCreate
