"""Operations of the ELB API that elbd refuses whole: the one list of them.

Each answers 400 `ELB.8902` in the ELB error format, saying why, once the caller is authenticated and
any load balancer, listener or pool its path names is found in the caller's project (another
project's is 404, as everywhere). Never "the API does not exist": a script or a Terraform plan hears
what elbd does not do.

- `PUBLIC_CLOUD`: what only a public cloud has (billing, its DNS, the sizing and upgrades of its ELB
  nodes). These stay refused.
- `NOT_YET`: what elbd will serve; the change that serves one deletes its entry here.
"""

from dataclasses import dataclass
from typing import Literal

from elbd.errors import ElbError, invalid

ELB = "/v3/{project_id}/elb"

Kind = Literal["public cloud", "not yet"]
PUBLIC_CLOUD: Kind = "public cloud"
NOT_YET: Kind = "not yet"


@dataclass(frozen=True)
class UnservedOperation:
    method: str
    path: str
    what: str
    kind: Kind
    why: str = ""

    def refusal(self) -> ElbError:
        if self.kind == PUBLIC_CLOUD:
            return invalid(f"{self.what} is not available in elbd: {self.why}")
        return invalid(f"{self.what} is not served by elbd yet.")


_DNS = "load balancers have no DNS names in elbd; the public cloud's DNS service gives them, and clients reach a load balancer at its VIP."

OPERATIONS: tuple[UnservedOperation, ...] = (
    UnservedOperation(
        "POST", f"{ELB}/loadbalancers/change-charge-mode", "Changing a load balancer's charge mode", PUBLIC_CLOUD,
        "billing (pay-per-use, yearly/monthly, LCU) belongs to a public cloud; elbd charges nothing.",
    ),
    UnservedOperation(
        "GET", f"{ELB}/preoccupy-ip-num", "Counting pre-occupied IP addresses", PUBLIC_CLOUD,
        "a public cloud takes subnet addresses for the nodes that run a load balancer; elbd runs each on the host and takes one address, its VIP.",
    ),
    UnservedOperation(
        "POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/upgrade", "Upgrading a load balancer's flavor", PUBLIC_CLOUD,
        "upgrades move a public cloud's load balancer onto other nodes (shared to dedicated, more subnets); an elbd load balancer is one HAProxy process on the host.",
    ),
    UnservedOperation("GET", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/ips", "Listing a load balancer's DNS addresses", PUBLIC_CLOUD, _DNS),
    UnservedOperation("POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/ips/batch-enable", "Enabling DNS addresses", PUBLIC_CLOUD, _DNS),
    UnservedOperation("POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/ips/batch-disable", "Disabling DNS addresses", PUBLIC_CLOUD, _DNS),
    UnservedOperation(
        "POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/system-default-config", "A load balancer's default DNS name", PUBLIC_CLOUD, _DNS
    ),
    UnservedOperation(
        "POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/user-defined-config", "A load balancer's own DNS name", PUBLIC_CLOUD, _DNS
    ),
    # load balancers
    UnservedOperation("POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/clone", "Cloning a load balancer", NOT_YET),
    UnservedOperation("GET", f"{ELB}/loadbalancers/{{loadbalancer_id}}/features", "A load balancer's features", NOT_YET),
    UnservedOperation("GET", f"{ELB}/feature/configs", "Feature configurations", NOT_YET),
    # recycle bin
    UnservedOperation("GET", f"{ELB}/recycle-bin", "The recycle bin", NOT_YET),
    UnservedOperation("PUT", f"{ELB}/recycle-bin", "Turning the recycle bin on or off", NOT_YET),
    UnservedOperation("PUT", f"{ELB}/recycle-bin/policy", "The recycle bin's policy", NOT_YET),
    UnservedOperation("GET", f"{ELB}/recycle-bin/loadbalancers", "Load balancers in the recycle bin", NOT_YET),
    UnservedOperation("PUT", f"{ELB}/recycle-bin/loadbalancers/{{loadbalancer_id}}/recover", "Restoring a load balancer from the recycle bin", NOT_YET),
    UnservedOperation("DELETE", f"{ELB}/recycle-bin/loadbalancers/{{loadbalancer_id}}", "Deleting a load balancer from the recycle bin", NOT_YET),
    # listeners and pools
    UnservedOperation("POST", f"{ELB}/listeners/{{listener_id}}/clone", "Cloning a listener", NOT_YET),
    # master-slave pools
    UnservedOperation("POST", f"{ELB}/master-slave-pools", "Creating an active/standby backend server group", NOT_YET),
    UnservedOperation("GET", f"{ELB}/master-slave-pools", "Listing active/standby backend server groups", NOT_YET),
    UnservedOperation("GET", f"{ELB}/master-slave-pools/{{pool_id}}", "An active/standby backend server group", NOT_YET),
    UnservedOperation("DELETE", f"{ELB}/master-slave-pools/{{pool_id}}", "Deleting an active/standby backend server group", NOT_YET),
    # flavors
    UnservedOperation("GET", f"{ELB}/flavors", "Flavors", NOT_YET),
    UnservedOperation("GET", f"{ELB}/flavors/{{flavor_id}}", "A flavor", NOT_YET),
)
