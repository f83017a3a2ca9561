"""What a new operator is told, and the one rule of which VIPs the host can serve."""

from ipaddress import ip_address
from pathlib import Path

from elbd.first_hour import command_name, project_next_steps, serve_notes
from elbd.service.host_addresses import host_can_bind, unservable_vip


def test_the_command_is_the_script_when_run_as_elbd_else_python_m_elbd() -> None:
    assert command_name(".venv/bin/elbd", "/usr/bin/python3") == ".venv/bin/elbd"
    assert command_name("/x/elbd/__main__.py", "/opt/py thon/bin/python") == "'/opt/py thon/bin/python' -m elbd"


def test_serve_notes_ask_for_a_project_only_when_there_is_none() -> None:
    empty = serve_notes(url="http://127.0.0.1:9876", data_dir=Path("/d ir"), command="elbd", has_project=False)
    assert "elbd project create NAME --data-dir '/d ir'" in empty and "http://127.0.0.1:9876/docs" in empty
    assert "the web console is at http://127.0.0.1:9876/console: sign in with a project's user name and password" in empty
    assert "project create" not in serve_notes(url="http://h:1", data_dir=Path("/d"), command="elbd", has_project=True)


def test_next_steps_name_the_subnet_id_a_load_balancer_wants_and_never_the_password() -> None:
    steps = project_next_steps(project_id="p1", user_name="demo", subnet_id="net-1", neutron_subnet_id="sub-1", zone="local-1a", url="http://h:1")
    assert '"vip_subnet_cidr_id": "sub-1"' in steps and "http://h:1/v3/p1/elb/loadbalancers" in steps
    assert "PASSWORD" in steps and "availability zone local-1a" in steps


def test_loopback_vips_are_served_and_a_documentation_address_is_not() -> None:
    assert host_can_bind(ip_address("127.200.0.2")) and unservable_vip(ip_address("127.31.0.9")) is None
    refusal = unservable_vip(ip_address("198.51.100.7"))  # TEST-NET-2: no host has it
    assert refusal is not None and "198.51.100.7 is no address of this host" in refusal
    assert not host_can_bind(ip_address("fd00:ffff::7"))
