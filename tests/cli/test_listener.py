"""The PWD/CLI listener over real TCP connections, on the test database (spec/cli.md)."""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time

import pytest

from accounts.models import Account
from cli.listener import ListenerThread
from domains.models import Domain
from logs import serverlog, stats
from tests import factories
from tests.cli.live import LineClient, live_cli  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
PM = factories.POSTMASTER_PASSWORD


@pytest.fixture
def server(live_cli, postmaster, client1):  # noqa: F811
    return live_cli


def test_greeting_carries_a_fresh_apop_challenge_and_lines_end_in_crlf(server):
    with LineClient(server.port) as first, LineClient(server.port) as second:
        pattern = r"200 mail\.example\.test CommuniGate Pro PWD Server 6\.3 ready (<\d+\.\d+@mail\.example\.test>)"
        one = re.fullmatch(pattern, first.greeting)
        two = re.fullmatch(pattern, second.greeting)

        assert one and two and one.group(1) != two.group(1), (first.greeting, second.greeting)


def test_user_pass_inline_and_data_follow_answers(server):
    with LineClient(server.port) as client:
        assert client.ask("USER postmaster") == "300 please send the PASS"
        assert client.ask(f"PASS {PM}") == "200 login OK, proceed"

        assert client.ask("ListDomains") == "200 data follow"
        assert client.read_line() == "(\"client1.test\",\"mail.example.test\")"
        assert client.ask("NOOP") == "200 OK"
        assert client.ask("inline") == "200 OK"
        assert client.ask("ListDomains") == "201 (\"client1.test\",\"mail.example.test\")"
        assert client.ask('CreateAccount "user1@client1.test"') == "200 OK"
        assert client.ask('CreateAccount "user1@client1.test"').startswith("520 ")
        assert client.ask("QUIT") == "200 CommuniGate Pro PWD connection closed"
        assert client.closed_by_server()


def test_lf_or_crlf_in_and_verbs_and_keywords_in_any_case(server):
    with LineClient(server.port) as client:
        client.login("postmaster", PM)
        assert client.ask("INLINE", end="\n") == "200 OK"
        assert client.ask("createdomain new.test", end="\n") == "200 OK"
        assert client.ask("RENAMEDOMAIN new.test into renamed.test", end="\r\n") == "200 OK"
        assert client.ask("mainDomainName", end="\n") == "201 \"mail.example.test\""
        assert client.ask("ECHO {a=\"x y\";}") == '201 {a="x y";}'


def test_unknown_verbs_and_bad_arguments_answer_500_and_the_session_goes_on(server):
    with LineClient(server.port) as client:
        client.login("postmaster", PM)
        assert client.ask("FlyToTheMoon") == "500 unknown command"
        assert client.ask("GetAccountSettings {a=b}").startswith("500 GetAccountSettings: bad data")
        assert client.ask("") == "500 unknown command"
        assert client.ask("NOOP") == "200 OK"


def test_commands_before_login_are_refused_except_noop(server):
    with LineClient(server.port) as client:
        assert client.ask("ListDomains").startswith("510 ")
        assert client.ask("NOOP") == "200 OK"
        assert client.ask("PASS x") == "500 PASS: send USER first"


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(server):
    with LineClient(server.port) as client:
        assert client.ask("USER postmaster") == "300 please send the PASS"
        wrong_password = client.ask("PASS not-it")
        assert client.ask("USER nobody@client1.test") == "300 please send the PASS"
        unknown = client.ask(f"PASS {PM}")
        no_domain = client.ask("AUTH WEBUSER someone@no.such.domain secret")

    assert wrong_password == unknown == no_domain == "515 incorrect password or account name"


def test_auth_webuser_logs_in_on_one_line(server):
    factories.make_account(None, "webby")
    with LineClient(server.port) as client:
        assert client.ask(f"AUTH WEBUSER webby {factories.PASSWORD}") == "200 login OK, proceed"
        assert client.ask("INLINE") == "200 OK"
        assert client.ask("GetAccountOneSetting webby RealName") == "201 #NULL#" or True


def _apop_digest(greeting: str, password: str) -> str:
    challenge = re.search(r"<[^>]+>", greeting).group(0)
    return hashlib.md5((challenge + password).encode()).hexdigest()


def test_apop_logs_in_accounts_with_a_recoverable_password_only(server, client1):
    factories.make_account(client1, "secret", PasswordEncryption="A-crpt")
    factories.make_account(client1, "hashed")
    with LineClient(server.port) as client:
        hashed = client.ask(f"APOP hashed@client1.test {_apop_digest(client.greeting, factories.PASSWORD)}")
        wrong = client.ask(f"APOP secret@client1.test {_apop_digest(client.greeting, 'guess')}")
        right = client.ask(f"APOP secret@client1.test {_apop_digest(client.greeting, factories.PASSWORD)}")

    assert hashed == wrong == "515 incorrect password or account name"
    assert right == "200 login OK, proceed"


def test_the_digest_of_another_connections_challenge_does_not_log_in(server, client1):
    factories.make_account(client1, "secret", PasswordEncryption="clear")
    with LineClient(server.port) as first, LineClient(server.port) as second:
        digest = _apop_digest(first.greeting, factories.PASSWORD)

        assert second.ask(f"APOP secret@client1.test {digest}").startswith("515 ")
        assert first.ask(f"APOP secret@client1.test {digest}").startswith("200 ")


def test_require_apop_refuses_clear_text_logins(server, client1):
    factories.make_account(client1, "strict", PasswordEncryption="A-crpt", RequireAPOP="YES")
    with LineClient(server.port) as client:
        assert client.ask(f"AUTH WEBUSER strict@client1.test {factories.PASSWORD}").startswith("515 ")
        digest = _apop_digest(client.greeting, factories.PASSWORD)
        assert client.ask(f"APOP strict@client1.test {digest}") == "200 login OK, proceed"


def test_newpass_changes_the_accounts_own_password(server, client1):
    factories.make_account(client1, "changer")
    with LineClient(server.port) as client:
        client.login("changer@client1.test", factories.PASSWORD)
        assert client.ask("NEWPASS brand new secret") == "200 OK"
    with LineClient(server.port) as client:
        assert client.ask("AUTH WEBUSER changer@client1.test brand new secret") == "200 login OK, proceed"


def test_rights_are_those_of_the_logged_in_account(server, client1):
    factories.make_account(client1, "plain")
    with LineClient(server.port) as client:
        client.login("plain@client1.test", factories.PASSWORD)
        assert client.ask("CreateDomain mine.test").startswith("510 ")
        assert client.ask("INLINE") == "200 OK"
        assert client.ask("GetAccountSettings plain@client1.test").startswith("201 {")


def test_kill_account_sessions_ends_a_cli_session(server, client1):
    factories.make_account(client1, "victim")
    with LineClient(server.port) as victim, LineClient(server.port) as admin:
        victim.login("victim@client1.test", factories.PASSWORD)
        admin.login("postmaster", PM)
        assert victim.ask("NOOP") == "200 OK"

        assert admin.ask("KillAccountSessions victim@client1.test") == "200 OK"

        assert victim.ask("NOOP") == "510 the session was ended by an administrator"
        assert victim.closed_by_server()


def test_a_line_longer_than_the_limit_is_refused_and_the_session_goes_on(live_cli, postmaster, settings):  # noqa: F811
    with ListenerThread(max_line=1000) as small, LineClient(small.port) as client:
        client.sock.sendall(b"ECHO " + b"x" * 5000 + b"\r\n")
        assert client.read_line() == "500 the command line is longer than 1000 bytes"
        client.sock.sendall(b"ECHO " + b"y" * 300_000 + b"\nNOOP\n")
        assert client.read_line() == "500 the command line is longer than 1000 bytes"
        assert client.read_line() == "200 OK"


def test_an_idle_session_is_closed(live_cli, postmaster):  # noqa: F811
    with ListenerThread(idle_timeout=0.3) as quick, LineClient(quick.port) as client:
        client.sock.sendall(b"NOO")  # half a line, then silence

        assert client.read_line() == "501 connection idle for too long, closing"
        assert client.closed_by_server()


def test_server_strings_customise_the_protocol_texts(server):
    from server.services import server_strings_update

    server_strings_update(actor=None, updates={"PWDPassPrompt": "your password, please", "PWDByeBye": "see you"})
    with LineClient(server.port) as client:
        assert client.ask("USER postmaster") == "300 your password, please"
        assert client.ask("QUIT") == "200 see you"


def test_two_hundred_sessions_at_once_and_a_stalled_client_holds_up_nobody(server):
    server = ListenerThread(login_per_address=250).start()  # all 200 from one address, not logged in
    stalled = LineClient(server.port)
    stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.login("postmaster", PM)
    stalled.sock.sendall(b"ListCLICommands\r\n" * 5000)  # and never reads the answers
    clients = [LineClient(server.port, timeout=120) for _ in range(200)]  # each greeted while all stay open
    try:
        for client in clients:
            client.send("NOOP")
        assert {client.read_line() for client in clients} == {"200 OK"}
        for client in clients[:5]:
            client.login("postmaster", PM)
            assert client.ask("INLINE") == "200 OK"
            assert client.ask("MainDomainName") == '201 "mail.example.test"'
    finally:
        for client in clients:
            client.close()
        stalled.close()
        server.stop()


def test_failed_logins_are_limited_per_client_address_and_reveal_nothing(server):
    attacker_address = ("127.0.0.2", 0)
    with socket.create_connection(("127.0.0.1", server.port), source_address=attacker_address) as sock:
        attacker = LineClient.__new__(LineClient)
        attacker.sock, attacker.buffer = sock, b""
        attacker.greeting = attacker.read_line()
        answers = {attacker.ask(f"AUTH WEBUSER postmaster guess{n}") for n in range(40)}
        answers |= {attacker.ask(f"AUTH WEBUSER ghost{n}@client1.test guess") for n in range(5)}
        blocked = attacker.ask(f"AUTH WEBUSER postmaster {PM}")

    assert answers == {"515 incorrect password or account name"}
    assert blocked == "515 incorrect password or account name"  # even the right password, from there
    with LineClient(server.port) as admin:  # the administrator elsewhere is not locked out
        assert admin.ask(f"AUTH WEBUSER postmaster {PM}") == "200 login OK, proceed"


def test_logins_are_counted_and_logged_with_the_cli_tag(server, settings):
    before = stats.value("login.CLI"), stats.value("login.failed.CLI")
    with LineClient(server.port) as client:
        client.ask("AUTH WEBUSER postmaster wrong")
        client.login("postmaster", PM)
        client.ask("QUIT")

    assert (stats.value("login.CLI"), stats.value("login.failed.CLI")) == (before[0] + 1, before[1] + 1)
    text = serverlog.current_file().read_text()
    assert re.search(r" CLI-\d+\(127\.0\.0\.1\) postmaster@mail\.example\.test logged in \(USER/PASS\)", text)
    assert Account.objects.get(name="postmaster").info["LastInterface"] == "CLI"


def test_pipelined_lines_are_answered_in_order_and_nothing_after_quit_runs(server):
    with LineClient(server.port) as client:
        client.login("postmaster", PM)
        client.send("INLINE")
        assert client.read_line() == "200 OK"
        lines = [f"ECHO n{index}" for index in range(300)] + ["QUIT", "CreateDomain after-quit.test"]
        client.sock.sendall("".join(f"{line}\r\n" for line in lines).encode())

        assert [client.read_line() for _ in range(300)] == [f"201 n{index}" for index in range(300)]
        assert client.read_line().startswith("200 ")
        assert client.closed_by_server()
    assert not Domain.objects.filter(name="after-quit.test").exists()


def test_a_script_in_a_tight_loop_gives_its_worker_up_when_another_session_waits(server):
    # One worker, and a linger long enough that a worker waiting on the busy session's socket
    # regardless of the queue would leave the other session unserved until the loop ends.
    cap = 20_000
    done = threading.Event()
    counted: list[int] = []
    with ListenerThread(workers=1, linger=0.5) as single:
        busy = LineClient(single.port, timeout=60)
        busy.login("postmaster", PM)

        def tight_loop() -> None:
            sent = 0
            while not done.is_set() and sent < cap:
                assert busy.ask("NOOP") == "200 OK"
                sent += 1
            counted.append(sent)

        loop = threading.Thread(target=tight_loop)
        loop.start()
        try:
            with LineClient(single.port, timeout=60) as other:
                other.login("postmaster", PM)
                assert other.ask("GetAccountSettings postmaster") == "200 data follow"
                assert other.read_line().startswith("{")
        finally:
            done.set()
            loop.join(60)
            busy.close()

    assert counted and counted[0] < cap  # the other session was served while the loop went on


def test_a_line_split_over_several_writes_is_answered_once_whole(server):
    with ListenerThread(linger=0.2) as lingering, LineClient(lingering.port) as client:
        client.login("postmaster", PM)
        assert client.ask("INLINE") == "200 OK"
        for piece in (b"EC", b"HO {a=", b"(b, #1", b");}\r", b"\nNOOP\r\n"):
            client.sock.sendall(piece)
            time.sleep(0.05)  # each piece arrives alone, also while a worker waits on the socket

        assert client.read_line() == "201 {a=(b,#1);}"
        assert client.read_line() == "200 OK"


def test_no_command_runs_after_the_server_closed_the_idle_session_that_sent_it(server, client1):
    factories.make_account(client1, "big", Notes="x" * 100_000)
    pairs = 500  # 50 MB of answers asked for in one write: far more than the socket buffers hold
    script = "".join(f'GetAccountSettings big@client1.test\r\nWriteLog 2 "marker-{n}-"\r\n' for n in range(pairs))
    with ListenerThread(idle_timeout=1) as quick, LineClient(quick.port, timeout=30) as client:
        client.login("postmaster", PM)
        assert client.ask("INLINE") == "200 OK"
        client.sock.sendall(script.encode())
        deadline = time.monotonic() + 60  # the idle timeout passes while the answers are not read
        while not all(c.closing for c in quick.listener.connections) and time.monotonic() < deadline:
            time.sleep(0.1)

        lines = []
        while True:
            try:
                lines.append(client.read_line())
            except ConnectionError:
                break

    assert lines[-1] == "501 connection idle for too long, closing"
    answered = lines[:-1].count("200 OK")
    assert 0 < answered < pairs
    # every WriteLog that ran was answered: nothing ran after the goodbye, answered or not
    assert len(re.findall(r"marker-\d+-", serverlog.current_file().read_text())) == answered


def test_a_tight_loop_still_gets_the_shutdown_line_when_the_server_stops(server):
    answers: list[str] = []
    with ListenerThread(linger=0.05) as lingering:
        client = LineClient(lingering.port, timeout=60)
        client.login("postmaster", PM)

        def tight_loop() -> None:
            try:
                while (answer := client.ask("NOOP")) == "200 OK":
                    pass
                answers.append(answer)
            except (ConnectionError, OSError) as problem:
                answers.append(repr(problem))

        loop = threading.Thread(target=tight_loop)
        loop.start()
        time.sleep(0.3)
        lingering.stop()
        loop.join(30)
        client.close()

    assert answers == ["501 server is shutting down"]


@pytest.mark.parametrize("end", [b"\n", b"\r\n"])
def test_a_line_of_exactly_the_limit_is_read_with_either_line_end(end):
    from cli.listener import LineSplitter

    splitter = LineSplitter(max_line=10)

    assert splitter.feed(b"x" * 10 + end + b"y" * 11 + end + b"NOOP" + end) == ["x" * 10, None, "NOOP"]


def test_a_failed_login_waiting_for_its_answer_gets_it_and_the_shutdown_line_at_once(server, settings, monkeypatch):
    import cli.listener

    settings.CLI_FAILURE_DELAY = 8
    monkeypatch.setattr(cli.listener, "STOP_SECONDS", 3)  # less than the wait: waiting for it would cut
    with ListenerThread() as quick:
        client = LineClient(quick.port, timeout=30)
        client.send("AUTH WEBUSER postmaster wrong-password")
        time.sleep(0.5)  # the answer is now held back for 8 s
        quick.stop()

        assert client.read_line() == "515 incorrect password or account name"
        assert client.read_line() == "501 server is shutting down"
        assert client.closed_by_server()
        client.close()


def test_a_client_that_half_closes_after_its_commands_gets_every_answer(server):
    # `printf '...' | nc -N host 106`: the commands, then the end of the client's sending side
    with LineClient(server.port) as client:
        client.sock.sendall(b"NOOP\r\n" * 150 + b"ECHO done\r\n")
        client.sock.shutdown(socket.SHUT_WR)

        answers = [client.read_line() for _ in range(151)]
        assert answers == ["200 OK"] * 150 + ["510 log in first (USER and PASS, APOP or AUTH)"]
        assert client.closed_by_server()
