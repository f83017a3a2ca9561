from elbd.api.shapes.vpcs import Subnet, Vpc
from elbd.clock import format_time
from elbd.store.models import Subnet as SubnetRow
from elbd.store.models import Vpc as VpcRow


def vpc_view(vpc: VpcRow) -> Vpc:
    return {
        "id": vpc.id,
        "name": vpc.name,
        "description": vpc.description,
        "cidr": vpc.cidr,
        "status": "OK",
        "routes": [],
        "enterprise_project_id": "0",
        "tenant_id": vpc.project_id,
        "created_at": format_time(vpc.created_at),
        "updated_at": format_time(vpc.created_at),
    }


def subnet_view(subnet: SubnetRow) -> Subnet:
    return {
        "id": subnet.id,
        "name": subnet.name,
        "description": subnet.description,
        "cidr": subnet.cidr,
        "gateway_ip": subnet.gateway_ip,
        "ipv6_enable": subnet.cidr_v6 is not None,
        "cidr_v6": subnet.cidr_v6 or "",
        "gateway_ip_v6": subnet.gateway_ip_v6 or "",
        "dhcp_enable": True,
        "primary_dns": "",
        "secondary_dns": "",
        "dnsList": [],
        "availability_zone": subnet.availability_zone,
        "vpc_id": subnet.vpc_id,
        "status": "ACTIVE",
        "neutron_network_id": subnet.id,
        "neutron_subnet_id": subnet.neutron_subnet_id,
        "neutron_subnet_id_v6": subnet.neutron_subnet_id_v6 or "",
        "extra_dhcp_opts": [],
        "tenant_id": subnet.project_id,
        "created_at": format_time(subnet.created_at),
        "updated_at": format_time(subnet.created_at),
    }
