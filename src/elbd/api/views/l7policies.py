from collections.abc import Sequence

from elbd.api.shapes.base import IdRef
from elbd.api.shapes.l7policies import FixedResponseConfig, L7Policy, L7Rule, RedirectUrlConfig
from elbd.clock import format_time
from elbd.store.models import L7Policy as PolicyRow
from elbd.store.models import L7Rule as RuleRow


def rule_view(rule: RuleRow) -> L7Rule:
    return {
        "id": rule.id,
        "type": rule.type,
        "compare_type": rule.compare_type,
        "key": rule.key,
        "value": rule.value,
        "conditions": [{"key": item["key"], "value": item["value"]} for item in rule.conditions],
        "invert": False,
        "admin_state_up": True,
        "provisioning_status": "ACTIVE",
        "project_id": rule.project_id,
        "created_at": format_time(rule.created_at),
        "updated_at": format_time(rule.updated_at),
    }


def _redirect_url(config: dict | None) -> RedirectUrlConfig | None:
    if config is None:
        return None
    return {
        "protocol": config["protocol"],
        "host": config["host"],
        "port": config["port"],
        "path": config["path"],
        "query": config["query"],
        "status_code": config["status_code"],
        "insert_headers_config": config.get("insert_headers_config"),
        "remove_headers_config": config.get("remove_headers_config"),
    }


def _fixed_response(config: dict | None) -> FixedResponseConfig | None:
    if config is None:
        return None
    return {
        "status_code": config["status_code"],
        "content_type": config["content_type"],
        "message_body": config["message_body"],
        "insert_headers_config": config.get("insert_headers_config"),
        "remove_headers_config": config.get("remove_headers_config"),
        "traffic_limit_config": None,
    }


def policy_view(policy: PolicyRow, rules: Sequence[RuleRow], whole_rules: bool = False) -> L7Policy:
    """`rules` are the policy's, oldest first; shown as ids, or whole with `whole_rules` (display_all_rules)."""
    shown: list[IdRef | L7Rule] = [rule_view(rule) if whole_rules else {"id": rule.id} for rule in rules]
    sticky = policy.redirect_pools_sticky_session_config
    return {
        "id": policy.id,
        "name": policy.name,
        "description": policy.description,
        "action": policy.action,
        "admin_state_up": policy.admin_state_up,
        "listener_id": policy.listener_id,
        "position": policy.priority,
        "priority": policy.priority,
        "project_id": policy.project_id,
        "enterprise_project_id": "0",
        "provisioning_status": policy.provisioning_status,
        "redirect_pool_id": policy.redirect_pool_id,
        "redirect_listener_id": policy.redirect_listener_id,
        "redirect_url": None,
        "rules": shown,
        "redirect_url_config": _redirect_url(policy.redirect_url_config),
        "redirect_pools_config": [{"pool_id": entry["pool_id"], "weight": entry["weight"]} for entry in policy.redirect_pools_config],
        "redirect_pools_sticky_session_config": {"enable": bool(sticky["enable"]), "timeout": int(sticky["timeout"])} if sticky else None,
        "redirect_pools_extend_config": None,
        "fixed_response_config": _fixed_response(policy.fixed_response_config),
        "created_at": format_time(policy.created_at),
        "updated_at": format_time(policy.updated_at),
    }
