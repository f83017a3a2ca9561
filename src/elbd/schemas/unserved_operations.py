"""Operations of the ELB API that elbd refuses whole: the one list of them.

Each answers 400 `ELB.8902` in the ELB error format, saying why, once the caller is authenticated and
any load balancer, listener or pool its path names is found in the caller's project (another
project's is 404, as everywhere). Never "the API does not exist": a script or a Terraform plan hears
what elbd does not do.

Every one is what only a public cloud has (billing, its DNS, the sizing and upgrades of its ELB nodes);
every other operation of the SDK is served.
"""

from dataclasses import dataclass

from elbd.errors import ElbError, invalid

ELB = "/v3/{project_id}/elb"



@dataclass(frozen=True)
class UnservedOperation:
    method: str
    path: str
    what: str
    why: str

    def refusal(self) -> ElbError:
        return invalid(f"{self.what} is not available in elbd: {self.why}")


_DNS = "load balancers have no DNS names in elbd; the public cloud's DNS service gives them, and clients reach a load balancer at its VIP."

OPERATIONS: tuple[UnservedOperation, ...] = (
    UnservedOperation(
        "POST", f"{ELB}/loadbalancers/change-charge-mode", "Changing a load balancer's charge mode",
        "billing (pay-per-use, yearly/monthly, LCU) belongs to a public cloud; elbd charges nothing.",
    ),
    UnservedOperation(
        "GET", f"{ELB}/preoccupy-ip-num", "Counting pre-occupied IP addresses",
        "a public cloud takes subnet addresses for the nodes that run a load balancer; elbd runs each on the host and takes one address, its VIP.",
    ),
    UnservedOperation(
        "POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/upgrade", "Upgrading a load balancer's flavor",
        "upgrades move a public cloud's load balancer onto other nodes (shared to dedicated, more subnets); an elbd load balancer is one HAProxy process on the host.",
    ),
    UnservedOperation("GET", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/ips", "Listing a load balancer's DNS addresses", _DNS),
    UnservedOperation("POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/ips/batch-enable", "Enabling DNS addresses", _DNS),
    UnservedOperation("POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/ips/batch-disable", "Disabling DNS addresses", _DNS),
    UnservedOperation(
        "POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/system-default-config", "A load balancer's default DNS name", _DNS
    ),
    UnservedOperation(
        "POST", f"{ELB}/loadbalancers/{{loadbalancer_id}}/dns/user-defined-config", "A load balancer's own DNS name", _DNS
    ),
)
