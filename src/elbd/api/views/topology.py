from elbd.api.shapes.topology import LoadBalancerTopology
from elbd.api.views.l7policies import rule_view
from elbd.service.topology import Topology


def topology_view(topology: Topology) -> LoadBalancerTopology:
    lb = topology.load_balancer
    return {
        "nodes": {
            "loadbalancers": [
                {
                    "id": lb.id,
                    "name": lb.name,
                    "guaranteed": True,
                    "l4_flavor_id": lb.l4_flavor_id,
                    "l7_flavor_id": lb.l7_flavor_id,
                    "vip_address": lb.vip_address,
                    "ipv6_vip_address": lb.ipv6_vip_address,
                    "availability_zone_list": list(lb.availability_zone_list),
                }
            ],
            "eips": [],  # elbd has no EIPs
            "listeners": [
                {"id": one.id, "name": one.name, "protocol": one.protocol, "protocol_port": one.protocol_port} for one in topology.listeners
            ],
            "pools": [
                {"id": one.id, "name": one.name, "protocol": one.protocol, "type": one.type, "lb_algorithm": one.lb_algorithm} for one in topology.pools
            ],
        },
        "edges": [
            {
                "source": edge.source,
                "target": edge.target,
                "source_type": edge.source_type,
                "target_type": edge.target_type,
                "label": edge.label,
                "label_id": edge.label_id,
            }
            for edge in topology.edges
        ],
        "labels": {
            "l7policies": [
                {
                    "id": policy.id,
                    "name": policy.name,
                    "priority": policy.priority,
                    "action": policy.action,
                    "admin_state_up": policy.admin_state_up,
                    "rules": [rule_view(rule) for rule in rules],
                }
                for policy, rules in topology.policies
            ]
        },
    }
