from elbd.api.shapes.listeners import Listener, ListenerAccess
from elbd.clock import format_time
from elbd.store.models import Listener as ListenerRow


def listener_view(listener: ListenerRow, ipgroups: dict[str, list[str]]) -> Listener:
    """`ipgroups`: the IP address groups each listener's access control names, by listener id."""
    return {
        "id": listener.id,
        "name": listener.name,
        "description": listener.description,
        "project_id": listener.project_id,
        "enterprise_project_id": "0",
        "loadbalancers": [{"id": listener.loadbalancer_id}],
        "protocol": listener.protocol,
        "protocol_port": listener.protocol_port,
        "default_pool_id": listener.default_pool_id,
        "admin_state_up": listener.admin_state_up,
        "connection_limit": -1,
        "http2_enable": listener.http2_enable,
        "keepalive_timeout": listener.keepalive_timeout,
        "client_timeout": listener.client_timeout,
        "member_timeout": listener.member_timeout,
        "default_tls_container_ref": listener.default_tls_container_ref,
        "client_ca_tls_container_ref": listener.client_ca_tls_container_ref,
        "sni_container_refs": listener.sni_container_refs,
        "sni_match_algo": listener.sni_match_algo or "wildcard",
        "tls_ciphers_policy": listener.tls_ciphers_policy,
        "security_policy_id": listener.security_policy_id,
        "enable_member_retry": listener.enable_member_retry,
        "insert_headers": listener.insert_headers,
        "ipgroup": access_view(listener, ipgroups.get(listener.id, [])),
        "transparent_client_ip_enable": False,
        "proxy_protocol_enable": False,
        "enhance_l7policy_enable": listener.enhance_l7policy_enable,
        "gzip_enable": False,
        "ssl_early_data_enable": False,
        "nat64_enable": False,
        "port_ranges": [],
        "cps": listener.cps,
        "connection": listener.connection,
        "tags": listener.tags,
        "protection_status": listener.protection_status,
        "protection_reason": listener.protection_reason,
        "created_at": format_time(listener.created_at),
        "updated_at": format_time(listener.updated_at),
    }


def access_view(listener: ListenerRow, group_ids: list[str]) -> ListenerAccess | None:
    if not group_ids:
        return None
    return {"ipgroup_id": ",".join(group_ids), "enable_ipgroup": bool(listener.ipgroup_enable), "type": listener.ipgroup_type or "white"}
