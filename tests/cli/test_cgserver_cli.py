"""The CLI listener as a component of `manage.py cgserver`."""

from __future__ import annotations

import re

import pytest

from cli.listener import listener_command
from server import options as server_options
from server.options import ServerOptions, parse_options
from server.process import COMPONENTS, wait_for_port
from tests.cli.live import LineClient
from tests.cli.perl_wire import PerlWireClient
from tests.server.test_cgserver_process import RunningServer, free_port, server_env


def test_the_listener_is_a_registered_component_on_the_cli_port(monkeypatch):
    monkeypatch.setattr(server_options, "may_bind_system_ports", lambda use_system_ports: False)

    assert "cli" in [component.name for component in COMPONENTS]
    assert listener_command(ServerOptions())[-2:] == ["--bind", "127.0.0.1:8106"]  # 106 needs root
    assert listener_command(parse_options(["--CLIPort", "9999"]))[-1] == "127.0.0.1:9999"
    monkeypatch.setattr(server_options, "may_bind_system_ports", lambda use_system_ports: True)
    assert listener_command(ServerOptions())[-1] == "127.0.0.1:106"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_cgserver_serves_the_cli_and_stops_it(tmp_path):
    base = tmp_path / "CommuniGate"
    cli_port = free_port()
    server = RunningServer(base, server_env(base), "--CLIPort", str(cli_port))
    try:
        password = server.wait_for(r"postmaster password \(shown once\): (\S+)").group(1)
        server.wait_for("WebAdmin at")
        assert wait_for_port("127.0.0.1", cli_port)
        with LineClient(cli_port) as client:
            assert re.match(r"200 \S+ CommuniGate Pro PWD Server 6\.3 ready <\d+\.\d+@\S+>$", client.greeting)
            client.login("postmaster", password)
            assert client.ask("INLINE") == "200 OK"
            assert client.ask("CreateDomain cli.test") == "200 OK"
            assert client.ask("ListDomains").startswith('201 ("cli.test",')
        # the vendor's Perl client logs in with APOP only: the first start's postmaster lets it in
        perl = PerlWireClient(cli_port, "postmaster", password)
        assert perl.connected, f"{perl.code} {perl.message}"
        assert "cli.test" in perl.query("ListDomains")
        perl.Logout()
    finally:
        assert server.stop() == 0
    assert not wait_for_port("127.0.0.1", cli_port, timeout=0.5)
