"""docker-compose.yml against the code: every component `cgserver` runs has its service, and every
command the file runs (services and health checks) is one this code has, with options it takes.
No container engine is needed; tests/production/test_shape.py runs the file's commands for real."""

from __future__ import annotations

import runpy

import pytest

from server.options import ServerOptions
from server.process import COMPONENTS
from tests.production.compose import PROJECT, Compose, check_command, load, program

VARIABLES = {"SECRET_KEY": "s", "POSTGRES_PASSWORD": "p", "CGADMIN_PASSWORD_KEY": "k"}


def component_programs() -> dict[str, set[tuple[str, str]]]:
    """What each component of cgserver runs (its command line as cgserver builds it)."""
    return {component.name: program(component.command(ServerOptions())) for component in COMPONENTS}


def missing_components(compose: Compose) -> list[str]:
    """Components of cgserver that no service of the compose file runs."""
    served = set().union(*(program(service.command) for service in compose.ours()))
    return sorted(name for name, runs in component_programs().items() if not runs <= served)


def bad_commands(compose: Compose) -> list[str]:
    """Each service command or health check that this code could not run, and why."""
    problems = []
    for service in compose.ours():
        for what, argv in (("command", service.command), ("healthcheck", service.healthcheck)):
            if argv is None and what == "healthcheck" and service.one_shot:
                continue  # a step that runs and exits (init) is waited for, not probed
            if argv is None:
                problems.append(f"{service.name}: no {what}")
                continue
            problem = check_command(argv)
            if problem:
                problems.append(f"{service.name} {what}: {problem}")
    return problems


@pytest.fixture(scope="module")
def compose() -> Compose:
    return load(VARIABLES)


def test_every_component_of_cgserver_has_a_service(compose):
    names = {component.name for component in COMPONENTS}
    assert {"web", "worker", "cli", "queue", "snmp"} <= names  # the apps registered theirs
    assert missing_components(compose) == []


def test_every_command_and_health_check_is_one_this_code_has(compose):
    assert bad_commands(compose) == []


def test_the_checks_fail_for_a_missing_service_or_a_command_the_code_lacks():
    text = (PROJECT / "docker-compose.yml").read_text()
    without_cli = load(VARIABLES)
    del without_cli.services["cli"]
    assert missing_components(without_cli) == ["cli"]

    broken = load(VARIABLES, text.replace('"queuerunner", "--heartbeat"', '"queuerunner", "--heartbeet"')
                  .replace('"clilistener"', '"clilistenr"')
                  .replace('"--without-mingle"', '"--without-mingel"')
                  .replace('"cgadmin.wsgi:application"', '"cgadmin.wsgi:app"'))
    problems = "\n".join(bad_commands(broken))
    assert "queue command: manage.py queuerunner --heartbeet" in problems
    assert "cli command: manage.py clilistenr: no such management command" in problems
    assert "worker command: celery" in problems and "--without-mingel" in problems
    assert "web command: gunicorn cgadmin.wsgi:app: cgadmin.wsgi has no app" in problems


def test_every_service_is_the_same_image_with_a_health_check_and_a_restart_policy(compose):
    ours = compose.ours()
    assert {service.raw["image"] for service in ours} == {"cgadmin:latest"}
    for service in ours:
        assert service.healthcheck or service.one_shot, f"{service.name} has no health check"
        assert service.one_shot or service.raw.get("restart") == "unless-stopped", service.name
        assert service.environment["CGATE_BASE"] == "/var/CommuniGate"
        assert "basedir:/var/CommuniGate" in service.raw["volumes"], f"{service.name} does not share the base"


def test_listeners_publish_the_port_they_bind(compose):
    def bound_port(argv: list[str]) -> str:
        for option in ("--bind", "--port"):
            if option in argv:
                return argv[argv.index(option) + 1].rsplit(":", 1)[-1]
        raise AssertionError(f"no port in {argv}")

    assert (bound_port(compose.services["web"].command), "tcp") in compose.services["web"].published
    assert (bound_port(compose.services["cli"].command), "tcp") in compose.services["cli"].published
    assert (bound_port(compose.services["snmp"].command), "udp") in compose.services["snmp"].published
    for name in ("web", "cli", "snmp"):  # the health check probes the port the service binds
        assert bound_port(compose.services[name].command) in compose.services[name].healthcheck


def test_stop_grace_periods_cover_the_shutdowns_the_readme_promises(compose):
    gunicorn = runpy.run_path(str(PROJECT / "cgadmin" / "gunicorn.conf.py"))
    assert compose.services["web"].stop_grace > gunicorn["graceful_timeout"]
    assert compose.services["worker"].stop_grace >= 60  # running tasks finish (acks_late re-runs the rest)
    assert compose.services["queue"].stop_grace >= 30  # the pickup round or delivery pass in hand
    assert compose.services["init"].one_shot
