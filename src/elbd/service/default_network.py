"""What every new project starts with, as a cloud account starts with a default VPC: a VPC and a subnet
in loopback space, where load balancers get VIPs and members live with no setup on the host.

127.200.0.0/16 is apart from the host's own 127.0.0.0/16 (address_ranges.HOST_OWN) and from the ranges
elbd's tests and benchmarks use (127.1-127.121, 127.255). Subnets of different projects may overlap,
as in the cloud; VIPs and members stay unique on the host (service/addresses.py)."""

from sqlalchemy.orm import Session

from elbd.schemas.vpcs import SubnetCreate, VpcCreate
from elbd.service import vpcs
from elbd.store.models import Subnet, Vpc

DEFAULT_VPC_CIDR = "127.0.0.0/8"
DEFAULT_SUBNET_CIDR = "127.200.0.0/16"
DEFAULT_NAME = "default"


def create_default_network(session: Session, *, project_id: str, availability_zone: str) -> tuple[Vpc, Subnet]:
    vpc = vpcs.create_vpc(session, project_id=project_id, option=VpcCreate(name=DEFAULT_NAME, cidr=DEFAULT_VPC_CIDR))
    session.flush()
    subnet = vpcs.create_subnet(
        session,
        project_id=project_id,
        option=SubnetCreate(name=DEFAULT_NAME, cidr=DEFAULT_SUBNET_CIDR, vpc_id=vpc.id, availability_zone=availability_zone),
    )
    session.flush()
    return vpc, subnet
