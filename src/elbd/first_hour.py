"""What elbd tells a new operator on stderr (stdout stays for JSON): how to reach the API and its docs,
how to get credentials, and what a new project starts with. Pure text from values: tested without I/O."""

import json
import shlex
from pathlib import Path


def command_name(argv0: str, python: str) -> str:
    """How to run this elbd again: its script (`.venv/bin/elbd`) or `python -m elbd`."""
    return shlex.quote(argv0) if Path(argv0).name == "elbd" else f"{shlex.quote(python)} -m elbd"


def serve_notes(*, url: str, data_dir: Path, command: str, has_project: bool) -> str:
    lines = [
        f"elbd: the API is at {url} (interactive docs: {url}/docs, OpenAPI: {url}/openapi.json)",
        f"elbd: the web console is at {url}/console: sign in with a project's user name and password",
    ]
    if not has_project:
        lines.append(
            f"elbd: no project yet. Create one (it prints its user name, password and AK/SK as JSON): "
            f"{command} project create NAME --data-dir {shlex.quote(str(data_dir))}"
        )
    lines.append(
        f"elbd: credentials: POST {url}/v3/auth/tokens with the project's user name and password gives a token "
        "(X-Subject-Token), or sign requests with its AK/SK as the official SDK does; see the README's quick start."
    )
    return "\n".join(lines)


def project_next_steps(*, project_id: str, user_name: str, subnet_id: str, neutron_subnet_id: str, zone: str, url: str) -> str:
    token_body = json.dumps(
        {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user_name, "password": "PASSWORD", "domain": {"name": user_name}}}},
            "scope": {"project": {"id": project_id}}}}
    )
    load_balancer = json.dumps({"loadbalancer": {"name": "first", "vip_subnet_cidr_id": neutron_subnet_id}})
    return "\n".join([
        f"Project {user_name} is ready, with VPC 'default' (127.0.0.0/8), subnet 'default' (127.200.0.0/16; id {subnet_id}, "
        f"neutron_subnet_id {neutron_subnet_id}) and availability zone {zone}. Next steps, with elbd serve running:",
        f"  token:  curl -si {url}/v3/auth/tokens -H 'Content-Type: application/json' -d '{token_body}' | grep -i x-subject-token",
        "          (PASSWORD is the password printed above, on stdout)",
        f"  a load balancer, its VIP in the default subnet:  curl -s {url}/v3/{project_id}/elb/loadbalancers "
        f"-H \"X-Auth-Token: $TOKEN\" -H 'Content-Type: application/json' -d '{load_balancer}'",
        f"  then listeners, pools and members under {url}/v3/{project_id}/elb/ (members name subnet_cidr_id {neutron_subnet_id});"
        f" the docs: {url}/docs",
    ])
