"""The SNMP agent's codec and answers (SNMPv1/v2c GET, GETNEXT, GETBULK on the system group)."""

from __future__ import annotations

import pytest

from server import snmp
from server.selectors import snmp_system_group
from server.services import server_settings_update

SYSTEM = snmp.SystemGroup(description="CommuniGate Pro 6.3.0", started=1000.0, name="mail.example.test",
                          contact="Jane <jane@example.test>", location="closet, 3rd floor", community="s3cret")


def ask(oids, *, pdu_type=snmp.GET, version=snmp.VERSION_2C, community="s3cret", repetitions=0, now=1012.5):
    request = snmp.encode_message(version, community.encode(), pdu_type, 77, 0, repetitions,
                                  [(oid, snmp.tlv(snmp.NULL, b"")) for oid in oids])
    data = snmp.answer(request, SYSTEM, now=now)
    return None if data is None else snmp.decode_message(data)


def values(message):
    return [(oid, snmp.decode_value(tag, body)) for oid, tag, body in message.bindings]


@pytest.mark.parametrize("value", [0, 1, 127, 128, 255, 256, -1, -128, -129, 2**31 - 1, -(2**31)])
def test_integers_round_trip(value):
    tag, body, _ = snmp.read_tlv(snmp.encode_integer(value))
    assert tag == snmp.INTEGER and snmp.decode_integer(body) == value


@pytest.mark.parametrize("oid", [(1, 3), (1, 3, 6, 1, 2, 1, 1, 5, 0), (1, 3, 6, 1, 4, 1, 5678, 2**31), (2, 999, 3)])
def test_oids_round_trip(oid):
    tag, body, _ = snmp.read_tlv(snmp.encode_oid(oid))
    assert tag == snmp.OBJECT_ID and snmp.decode_oid(body) == oid


def test_long_lengths_round_trip():
    text = "x" * 1000
    tag, body, end = snmp.read_tlv(snmp.encode_string(text))
    assert (tag, body.decode(), end) == (snmp.OCTET_STRING, text, 1004)


def test_get_answers_the_system_group():
    answer = ask([snmp.SYS_DESCR, snmp.SYS_UPTIME, snmp.SYS_CONTACT, snmp.SYS_NAME, snmp.SYS_LOCATION])

    assert answer.pdu_type == snmp.RESPONSE and answer.request_id == 77 and answer.error_status == 0
    assert values(answer) == [
        (snmp.SYS_DESCR, b"CommuniGate Pro 6.3.0"), (snmp.SYS_UPTIME, 1250),
        (snmp.SYS_CONTACT, b"Jane <jane@example.test>"),
        (snmp.SYS_NAME, b"mail.example.test"), (snmp.SYS_LOCATION, b"closet, 3rd floor"),
    ]
    assert answer.bindings[1][1] == snmp.TIMETICKS


def test_getnext_walks_the_group_in_order_then_ends():
    walked, oid = [], (1, 3, 6, 1, 2, 1)
    while True:
        answer = ask([oid], pdu_type=snmp.GET_NEXT)
        oid, tag, _ = answer.bindings[0]
        if tag == snmp.END_OF_MIB_VIEW:
            break
        walked.append(oid)
    assert walked == [snmp.SYS_DESCR, snmp.SYS_UPTIME, snmp.SYS_CONTACT, snmp.SYS_NAME, snmp.SYS_LOCATION]

    v1 = ask([snmp.SYS_LOCATION], pdu_type=snmp.GET_NEXT, version=snmp.VERSION_1)
    assert (v1.error_status, v1.error_index) == (snmp.NO_SUCH_NAME, 1)


def test_unknown_objects_and_sets_are_refused_the_way_each_version_says():
    unknown = (1, 3, 6, 1, 2, 1, 2, 1, 0)
    assert ask([unknown]).bindings[0][1] == snmp.NO_SUCH_OBJECT
    assert ask([(*snmp.SYSTEM, 5, 1)]).bindings[0][1] == snmp.NO_SUCH_INSTANCE
    v1 = ask([snmp.SYS_NAME, unknown], version=snmp.VERSION_1)
    assert (v1.error_status, v1.error_index) == (snmp.NO_SUCH_NAME, 2)
    assert ask([snmp.SYS_NAME], pdu_type=snmp.SET).error_status == snmp.NOT_WRITABLE
    assert ask([snmp.SYS_NAME], pdu_type=snmp.SET, version=snmp.VERSION_1).error_status == snmp.NO_SUCH_NAME


def test_getbulk_returns_the_following_objects():
    answer = ask([snmp.SYSTEM], pdu_type=snmp.GET_BULK, repetitions=3)
    assert [oid for oid, _, _ in answer.bindings] == [snmp.SYS_DESCR, snmp.SYS_UPTIME, snmp.SYS_CONTACT]
    assert ask([snmp.SYSTEM], pdu_type=snmp.GET_BULK, version=snmp.VERSION_1) is None


@pytest.mark.parametrize("data", [b"", b"\x30", b"\x30\x03\x02\x01\x01", b"\x04\x00", b"\x30\x84\xff\xff\xff\xff"])
def test_malformed_datagrams_are_dropped(data):
    assert snmp.answer(data, SYSTEM) is None


def test_a_wrong_community_gets_no_answer():
    assert ask([snmp.SYS_NAME], community="public") is None
    assert snmp.answer(snmp.encode_message(snmp.VERSION_2C, b"", snmp.GET, 1, 0, 0, []),
                       snmp.SystemGroup("d", 0, "n", "c", "l", community="")) is None


def test_the_agent_reads_the_general_page(postmaster):
    server_settings_update(actor=postmaster, updates={"ContactPerson": "ops@example.test", "ServerLocation": "rack 7",
                                                      "SNMPCommunity": "monitoring"})

    system = snmp_system_group(agent_started=5.0)

    assert system.name == postmaster.domain.name
    assert (system.contact, system.location, system.community) == ("ops@example.test", "rack 7", "monitoring")
    assert "CommuniGate Pro 6.3.0" in system.description


# --- reflection ------------------------------------------------------------------------------------


def request_of(oids, *, pdu_type, repetitions=0, community="s3cret") -> bytes:
    return snmp.encode_message(snmp.VERSION_2C, community.encode(), pdu_type, 77, 0, repetitions,
                               [(oid, snmp.tlv(snmp.NULL, b"")) for oid in oids])


def test_a_getbulk_answer_is_at_most_four_times_its_request_and_keeps_the_first_bindings():
    request = request_of([snmp.SYSTEM] * 40, pdu_type=snmp.GET_BULK, repetitions=64)

    data = snmp.answer(request, SYSTEM, now=1012.5)

    assert len(data) <= 4 * len(request)
    bindings = snmp.decode_message(data).bindings
    assert 0 < len(bindings) < 40 * 5  # fewer than asked, as RFC 3416 allows when they do not fit
    assert [oid for oid, _, _ in bindings[:40]] == [snmp.SYS_DESCR] * 40  # the first repetition, in order


def test_a_get_whose_answer_would_be_many_times_its_request_answers_too_big():
    import dataclasses

    request = request_of([snmp.SYS_DESCR] * 30, pdu_type=snmp.GET)
    system = dataclasses.replace(SYSTEM, description="CommuniGate Pro 6.3.0 (cgadmin 1.0) on Linux 6.1 x86_64 " * 2)

    answer = snmp.decode_message(snmp.answer(request, system, now=1012.5))

    assert (answer.error_status, answer.bindings) == (snmp.TOO_BIG, [])


def test_the_whole_system_group_still_comes_in_one_answer():
    everything = [snmp.SYS_DESCR, snmp.SYS_UPTIME, snmp.SYS_CONTACT, snmp.SYS_NAME, snmp.SYS_LOCATION]
    walked = ask([snmp.SYSTEM], pdu_type=snmp.GET_BULK, repetitions=10).bindings
    assert [oid for oid, _, _ in walked] == [*everything, snmp.SYS_LOCATION]  # then endOfMibView
    assert [oid for oid, _, _ in ask(everything).bindings] == everything


@pytest.mark.django_db(transaction=True)  # the data committed, for the other process to see
def test_a_production_server_has_no_community_until_one_is_set(postmaster):
    """A real production process (CGADMIN_ENV=production) on the test database: no SNMP Community,
    so the agent answers nobody; the embedded default keeps CommuniGate's `public`."""
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings
    from django.db import connection

    db = connection.settings_dict
    env = {**os.environ, "CGADMIN_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "localhost",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "DJANGO_SETTINGS_MODULE": "cgadmin.settings"}
    script = "from server.selectors import snmp_system_group; print(repr(snmp_system_group(0.0).community))"
    shown = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=django_settings.PROJECT_DIR,
                           env=env, capture_output=True, text=True, timeout=120)

    assert shown.stdout.strip().splitlines()[-1:] == ["''"], shown.stderr[-2000:]
    assert snmp_system_group(agent_started=0.0).community == "public"
