"""Request bodies of the recycle bin (/elb/recycle-bin)."""

from pydantic import Field

from elbd.schemas.base import Strict


class RecycleBinEnable(Strict):
    enable: bool


class RecycleBinEnableRequest(Strict):
    recycle_bin: RecycleBinEnable


class RecycleBinPolicyOption(Strict):
    retention_hour: int | None = Field(None, description="Hours a deleted load balancer stays in the bin (and holds its VIP): 1 to 720.")
    recycle_threshold_hour: int | None = Field(None, description="A load balancer younger than this many hours is deleted for good: 0 to 720.")


class RecycleBinPolicyChange(Strict):
    policy: RecycleBinPolicyOption


class RecycleBinPolicyRequest(Strict):
    recycle_bin: RecycleBinPolicyChange
