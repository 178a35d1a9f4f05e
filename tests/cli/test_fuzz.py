"""Bad input never crashes the parser, a session or the listener (spec/cli.md, issue 3).

100,000 generated and mutated lines go through the command parser in-process (verb lookup, the
usage-line argument reader, the data-format codec): each either parses or raises ArgumentError,
nothing else. The live part sends 100,000 more (CLI_FUZZ_LIVE_LINES) to a real listener,
pipelined over four concurrent sessions (three logged in, one not), then raw binary garbage:
every line gets exactly one well-formed answer within LIVE_TIMEOUT, and afterwards every session
and a fresh connection still answer NOOP at once, and no session task is left behind on the
server. Half-open and reset connections are thrown in too. Hypothesis drives both: the seeds of
the mutator and a raw text line of its own in every batch."""

from __future__ import annotations

import os
import random
import re
import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cli.dispatch import split_verb
from cli.registry import ArgumentError, all_verbs, lookup
from tests import factories
from tests.cli.live import LineClient, live_cli  # noqa: F401

PARSER_BATCH = 100
PARSER_EXAMPLES = 1000  # x PARSER_BATCH lines = 100,000 lines through the parser
LIVE_LINES = int(os.environ.get("CLI_FUZZ_LIVE_LINES", "100000"))
LIVE_SESSIONS = 4  # concurrent connections; the last one never logs in
LIVE_ROUNDS = 100  # hypothesis examples: each sends LIVE_LINES / LIVE_ROUNDS lines over all sessions
LIVE_TIMEOUT = 30.0  # no answer for this long is a hung session
SESSION_ENDING = {"quit", "newpass", "shutdown", "killaccountsessions", "suspenddomain"}
ANSWER = re.compile(r"(200|201|300|500|501|510|512|513|515|520|555) ")

CORPUS = [
    "ListDomains", "MainDomainName", "CreateDomain fuzz.test", 'CreateDomain "f z.test" {DomainAccessModes=All;}',
    "RenameDomain fuzz.test INTO fuzz2.test", "DeleteDomain fuzz2.test FORCE", "GetDomainSettings client1.test",
    'UpdateDomainSettings client1.test {MailToUnknown=Rejected; X="a \\"q\\" \\\\ b";}', "ListAccounts client1.test",
    'CreateAccount "u1@client1.test" TextMailbox {Password="p w"; RealName="Zoë Ærø";}',
    "GetAccountSettings u1@client1.test", "GetAccountOneSetting u1@client1.test RealName",
    'UpdateAccountSettings u1@client1.test {RealName=default; Nested={a=(b, #12, #T01-02-2020_03:04:05);};}',
    'SetAccountPassword u1@client1.test PASSWORD "x y" CHECK', "GetAccountInfo u1@client1.test Key LastLogin",
    "GetAccountInfo u1@client1.test (LastLogin, LastAddress)", "SetAccountAliases u1@client1.test (a1, a2)",
    "ListDomainObjects client1.test FILTER u 10 ACCOUNTS ALIASES COOKIE abc", 'ECHO [SGVsbG8=]',
    'ECHO {a=#I[10.0.0.1]:25; b=#TPAST; c=#NULL#; d=<x a="1">t</x>; e="\\u\'1F600\'"; f="\\012";}',
    "ECHO (a, \"b c\", (d, e), {k=v;})", "GetSystemInfo version", "GetCurrentTime", "NOOP", "ListCLICommands",
    "CreateMailbox u1@client1.test MAILBOX Sent", "RenameMailbox u1@client1.test MAILBOX Sent INTO Old",
    "PostAccountAlert u1@client1.test ALERT \"hi\"", "GetServerSettings", "UpdateServerSettings {}",
]
TOKENS = ["{", "}", "(", ")", '"', "\\", ";", "=", ",", "#", "#T", "#I[", "[", "]", "<", ">", "/>", "</a>", "a",
          "12", "-", " ", "  ", "\t", "INTO", "FORCE", "PASSWORD", "Key", "MAILBOX", "ALERT", "#NULL#", '"x"', "é",
          "\u202e", "\U0001f600", "\\u'", "'", "\\012", "\\e", "#0x", "#0b1", "#T31-12-9999", "_", ":", "@",
          "client1.test", "u1", "\x01", "\x7f", "\ufffd", "FILTER", "COOKIE", "CHECK", "9" * 30]
VERB_NAMES = [entry.name for entry in all_verbs()] + ["USER", "PASS", "APOP", "AUTH", "INLINE", "NEWPASS"]


def _case(rng: random.Random, word: str) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in word)


def mutate(rng: random.Random, line: str) -> str:
    """A corpus line with a few random edits: insert, delete, replace, duplicate, truncate, re-case."""
    chars = list(line)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        at = rng.randrange(len(chars) + 1)
        if op == 0:
            chars[at:at] = list(rng.choice(TOKENS))
        elif op == 1 and chars:
            del chars[min(at, len(chars) - 1)]
        elif op == 2 and chars:
            chars[min(at, len(chars) - 1)] = chr(rng.choice([rng.randrange(32, 127), rng.randrange(0, 0x3000)]))
        elif op == 3:
            chars[at:at] = chars[at : at + rng.randint(1, 40)]
        elif op == 4:
            del chars[at:]
        elif op == 5:
            return _case(rng, "".join(chars))
        else:
            chars[at:at] = list(rng.choice(TOKENS) * rng.randint(1, 20))
    return "".join(chars)


def structured(rng: random.Random) -> str:
    """A real verb (any case) followed by a random run of data-format tokens."""
    verb = _case(rng, rng.choice(VERB_NAMES))
    return verb + " " + "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 30)))


def deep(rng: random.Random) -> str:
    """Nesting far beyond the codec's depth limit, opened and never or badly closed."""
    opener = rng.choice(["(", "{a=", "<a>"])
    return "ECHO " + opener * rng.randint(60, 200) + rng.choice(["", ")", "};", "x"])


def generated_line(rng: random.Random) -> str:
    kind = rng.randrange(50)
    if kind < 20:
        return mutate(rng, rng.choice(CORPUS))
    if kind < 35:
        return structured(rng)
    if kind == 35:
        return deep(rng)
    if kind < 43:
        return rng.randbytes(rng.randint(0, 200)).decode("latin-1")
    return rng.randbytes(rng.randint(0, 200)).decode("utf-8", "replace")


def parse_line(line: str) -> None:
    """What the dispatcher does before calling a handler; only ArgumentError may come out."""
    name, start = split_verb(line)
    entry = lookup(name) if name else None
    if entry is not None:
        try:
            entry.parse_arguments(line, start)
        except ArgumentError as problem:
            assert str(problem) and "\n" not in str(problem).replace(line, "")


@hypothesis_settings(max_examples=PARSER_EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), extra=st.text(max_size=80))
def test_a_hundred_thousand_lines_through_the_parser(seed, extra):
    rng = random.Random(seed)
    parse_line(extra)
    parse_line(_case(rng, rng.choice(VERB_NAMES)) + " " + extra)
    for _ in range(PARSER_BATCH - 2):
        parse_line(generated_line(rng))


def test_the_mutator_really_varies_its_lines():
    rng = random.Random(1)
    lines = {generated_line(rng) for _ in range(2000)}

    assert len(lines) > 1900
    assert sum(1 for line in lines if lookup(split_verb(line)[0])) > 900  # most reach an argument reader


def _wire(line: str) -> bytes:
    # One command a line: a generated LF would split it in two, so it becomes a space; a CR stays.
    return line.replace("\n", " ").encode("utf-8", "surrogateescape") + b"\r\n"


def _live_round_lines(rng: random.Random, extra: str, count: int) -> list[str]:
    lines = [generated_line(rng) for _ in range(count - 2)]
    lines += [extra, _case(rng, rng.choice(VERB_NAMES)) + " " + extra]
    rng.shuffle(lines)
    # keep the sessions ours: the fuzzer must not log itself out, change the password it logged in
    # with, end its own sessions or stop the server (each of these has its own behaviour tests)
    return [line for line in lines if split_verb(line)[0].lower() not in SESSION_ENDING]


def _exchange(client: LineClient, lines: list[str]) -> list[tuple[str, str]]:
    """Send the lines pipelined (from a second thread, so neither side can block the other on full
    socket buffers) and read one answer per line; a silent server fails on the socket timeout."""
    payload = b"".join(_wire(line) for line in lines)
    problems: list[BaseException] = []

    def send() -> None:
        try:
            client.sock.sendall(payload)
        except BaseException as problem:  # reported by the reading side below
            problems.append(problem)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answers = [(line, client.read_line()) for line in lines]
    sender.join(LIVE_TIMEOUT)
    assert not sender.is_alive() and not problems, problems
    return answers


@pytest.mark.django_db(transaction=True)
def test_live_sessions_survive_a_hundred_thousand_generated_lines_and_binary_garbage(
        live_cli, postmaster, client1, settings):  # noqa: F811
    settings.CLI_RECHECK_SECONDS = 1.0  # as in production: the fixture's 0 would re-read the account every line
    factories.make_account(client1, "u1")
    live_cli.listener.login_timeout = 3600  # the session that never logs in fuzzes longer than CLI_LOGIN_TIMEOUT
    clients = [LineClient(live_cli.port, timeout=LIVE_TIMEOUT) for _ in range(LIVE_SESSIONS)]
    # all but the last log in before any garbage: the last one fuzzes the login verbs themselves,
    # and its failures may block further logins from this address for a while
    for client in clients[:-1]:
        client.login("postmaster", factories.POSTMASTER_PASSWORD)
    for client in clients:
        assert client.ask("INLINE") == "200 OK"
    per_round = LIVE_LINES // LIVE_ROUNDS // LIVE_SESSIONS
    counted = []

    @hypothesis_settings(max_examples=LIVE_ROUNDS, deadline=None, database=None, derandomize=True,
                         phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(0, 2**32 - 1), extra=st.text(max_size=80))
    def one_round(seed, extra):
        rng = random.Random(seed)
        batches = [_live_round_lines(rng, extra, per_round) for _ in clients]
        with ThreadPoolExecutor(len(clients)) as pool:
            for answers in pool.map(_exchange, clients, batches):
                for line, answer in answers:
                    assert ANSWER.match(answer), (line, answer)
                counted.append(len(answers))

    one_round()
    garbage = random.Random(7).randbytes(50_000)
    clients[0].sock.sendall(garbage + b"\r\n")
    answers = [clients[0].read_line() for _ in range(garbage.count(b"\n") + 1)]
    assert all(ANSWER.match(answer) for answer in answers)

    assert sum(counted) >= LIVE_LINES * 0.97  # what the filter of session-ending verbs left
    for client in clients:  # no session hung: each still answers at once
        assert client.ask("NOOP") == "200 OK"
    assert clients[0].ask("MainDomainName") == '201 "mail.example.test"'
    with LineClient(live_cli.port, timeout=LIVE_TIMEOUT) as fresh:
        assert fresh.ask("NOOP") == "200 OK"
    for client in clients:
        client.close()
    deadline = time.monotonic() + 10
    while live_cli.listener.sessions and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_cli.listener.sessions == 0  # every session's task ended when its client went away


@pytest.mark.django_db(transaction=True)
def test_half_open_and_reset_connections_leave_the_listener_serving(live_cli, postmaster):  # noqa: F811
    for ending in ("nothing", "half a line", "reset mid-line", "login then reset"):
        sock = socket.create_connection(("127.0.0.1", live_cli.port), timeout=30)
        sock.recv(1000)
        if ending == "half a line":
            sock.sendall(b"ListDom")
        elif ending == "reset mid-line":
            sock.sendall(b'ECHO {a="' + b"x" * 100_000)
        elif ending == "login then reset":
            sock.sendall(f"USER postmaster\r\nPASS {factories.POSTMASTER_PASSWORD}\r\nListCLICommands\r\n".encode())
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, not FIN
        sock.close()
    with LineClient(live_cli.port) as client:
        assert client.ask("NOOP") == "200 OK"
