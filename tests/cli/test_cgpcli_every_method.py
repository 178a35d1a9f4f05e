"""Every method of the CGPCLI package (PyPI) whose command this server knows, called as a script
calls it against a live listener: each answers 200 or 201. The list is computed from CGPCLI itself
(the command each method sends, looked up in the command table), so a method that starts to fail,
or a verb added later without a call here, fails this test."""

from __future__ import annotations

import inspect

import pytest
from CGPCLI import Server

from cli.registry import lookup
from tests import factories
from tests.cli.live import live_cli  # noqa: F401
from tests.mailqueue.conftest import base, dns, message, run_queue, submit  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

A = "u1@client1.test"
D = "client1.test"
# Methods left out, and why: SHUTDOWN stops the server the other calls need (tests/cli covers it).
LEFT_OUT = {"shutdown": "stops the server"}

# method -> the arguments a script passes (in call order: later calls use what earlier ones made).
CALLS: list[tuple[str, tuple, dict]] = [
    ("noop", (), {}), ("echo", ("hello",), {}), ("get_version", (), {}), ("get_current_time", ("now",), {}),
    ("get_system_info", ("ServerOS",), {}), ("list_CLI_commands", (), {}), ("main_domain_name", (), {}),
    ("list_domains", (), {}), ("list_admin_domains", (), {}),
    ("create_domain", ("client3.test",), {"settings": {"MailToUnknown": "Rejected"}}),
    ("rename_domain", ("client3.test", "client4.test"), {}), ("suspend_domain", ("client4.test",), {}),
    ("resume_domain", ("client4.test",), {}), ("delete_domain", ("client4.test",), {"force": True}),
    ("get_domain_settings", (D,), {}), ("get_domain_effective_settings", (D,), {}),
    ("update_domain_settings", ({"WebBanner": "Hello"},), {"domain_name": D}),
    ("set_domain_settings", (D, {"WebBanner": "Hi"}), {}),
    ("get_domain_aliases", (D,), {}), ("set_domain_aliases", (D, ["c1.test"]), {}),
    ("get_domain_defaults", (), {}), ("update_domain_defaults", ({"Foldering": "flat"},), {}),
    ("set_domain_defaults", ({"Foldering": "flat"},), {}),
    ("create_account", (A,), {"settings": {"RealName": "User One"}}),
    ("list_accounts", (D,), {}), ("list_domain_objects", (D, 10), {"accounts": True}),
    ("get_account_settings", (A,), {}), ("get_account_effective_settings", (A,), {}),
    ("get_account_setting", (A, "RealName"), {}),
    ("update_account_settings", (A, {"MaxAccountSize": "100M"}), {}),
    ("set_account_settings", (A, {"RealName": "User One"}), {}),
    ("set_account_password", (A, "newpass1"), {}), ("verify_account_password", (A, "newpass1"), {}),
    ("set_account_type", (A, "AGrade"), {}),
    ("get_account_aliases", (A,), {}), ("set_account_aliases", (A, ["one"]), {}),
    ("get_account_rights", (A,), {}), ("set_account_rights", (A, ["Domain"]), {}),
    ("get_account_info", (A,), {}), ("get_account_location", (A,), {}),
    ("get_account_prefs", (A,), {}), ("get_account_effective_prefs", (A,), {}),
    ("update_account_prefs", (A, {"TimeZone": "Europe/Berlin"}), {}),
    ("set_account_prefs", (A, {"TimeZone": "Europe/Paris"}), {}),
    ("get_account_defaults", (), {"domain_name": D}),
    ("update_account_defaults", ({"MaxAccountSize": "10M"},), {"domain_name": D}),
    ("set_account_defaults", ({"MaxAccountSize": "20M"},), {"domain_name": D}),
    ("get_account_template", (), {"domain_name": D}),
    ("update_account_template", ({"TimeZone": "Europe/Paris"},), {"domain_name": D}),
    ("set_account_template", ({"MaxAccountSize": "30M"},), {"domain_name": D}),
    ("get_account_default_prefs", (), {"domain_name": D}),
    ("update_account_default_prefs", ({"TimeZone": "Europe/Paris"},), {"domain_name": D}),
    ("set_account_default_prefs", ({"TimeZone": "Europe/Paris"},), {"domain_name": D}),
    ("get_server_account_defaults", (), {}), ("update_server_account_defaults", ({"MaxAccountSize": "1G"},), {}),
    ("set_server_account_defaults", ({"MaxAccountSize": "2G"},), {}),
    ("get_server_account_prefs", (), {}), ("update_server_account_prefs", ({"TimeZone": "Europe/Paris"},), {}),
    ("set_server_account_prefs", ({"TimeZone": "Europe/Paris"},), {}),
    ("create_mailbox", (A, "Projects"), {}), ("list_mailboxes", (A,), {"filter": "*", "auth_account_name": A}),
    ("rename_mailbox", (A, "Projects", "Archive"), {}), ("delete_mailbox", (A, "Archive"), {}),
    ("kill_account_sessions", (A,), {}),
    ("post_account_alert", (A, '"Quota almost full"'), {}), ("get_account_alerts", (A,), {}),
    ("set_account_alerts", (A, "{}"), {}),  # CGPCLI writes this one's argument as given
    ("post_domain_alert", (D, '"Maintenance tonight"'), {}), ("get_domain_alerts", (D,), {}),
    ("set_domain_alerts", ({},), {"domain_name": D}),
    ("post_server_alert", ('"Disk check"',), {}), ("get_server_alerts", (), {}), ("set_server_alerts", ({},), {}),
    ("get_server_settings", (), {}), ("update_server_settings", ({"ServerLocation": "rack 3"},), {}),
    ("get_log_settings", (), {}), ("update_log_settings", ({"KeepDays": 7},), {}),
    ("write_log", ("3", '"from CGPCLI"'), {}), ("set_log_all", ("OFF",), {}), ("refresh_OS_data", (), {}),
    ("get_message_queue_info", ("SMTP", "remote.example"), {}), ("release_SMTP_queue", ('"remote.example"',), {}),
    ("reject_queue_messages", ("nobody@remote.example",), {}),
    ("list_server_skins", (), {}), ("list_domain_skins", (), {"domain_name": D}),
    # CGPCLI sends the content as given: a script passes the datablock with its brackets
    ("store_server_skin_file", ("Blue", "logo.png", "[aGVsbG8=]"), {}),
    ("list_server_skin_files", ("Blue",), {}), ("read_server_skin_file", ("Blue", "logo.png"), {}),
    ("remove_server_skin_file", ("Blue", "logo.png"), {}),
    ("store_domain_skin_file", ("", "adminheader.html", "[aGk=]"), {"domain_name": D}),  # "" : the unnamed skin
    ("list_domain_skin_files", ("",), {"domain_name": D}),
    ("read_domain_skin_file", ("", "adminheader.html"), {"domain_name": D}),
    ("remove_domain_skin_file", ("", "adminheader.html"), {"domain_name": D}),
    ("set_account_mail_rules", (A, [["5", "Junk", [["Subject", "is", "*[SPAM]*"]], [["Store in", "Junk"]]]]), {}),
    ("get_account_mail_rules", (A,), {}), ("update_account_mail_rule", (A, ["6", "Junk"]), {}),
    ("update_account_mail_rule", (A, "Junk"), {}),
    ("set_account_signal_rules", (A, [["5", "Calls", [], [["Reject"]]]]), {}), ("get_account_signal_rules", (A,), {}),
    ("update_account_signal_rule", (A, "Calls"), {}),
    ("remove_account_subset", (A, "RepliedAddresses"), {}),
    ("get_account_stat", (A,), {}), ("get_account_stat", (A, "MessagesReceived"), {}),
    ("get_domain_stat", (D,), {}), ("get_domain_stat", (D, "BytesReceived"), {}),
    ("set_domain_mail_rules", (D, [["5", "Big", [["Message Size", "greater than", "10M"]], [["Discard"]]]]), {}),
    ("get_domain_mail_rules", (D,), {}), ("set_domain_signal_rules", (D, []), {}),
    ("get_domain_signal_rules", (D,), {}),
    ("set_server_mail_rules", ([],), {}), ("get_server_mail_rules", (), {}),
    ("set_server_signal_rules", ([],), {}), ("get_server_signal_rules", (), {}),
    ("create_forwarder", ("sales@client1.test", "boss@remote.example"), {}), ("list_forwarders", (D,), {}),
    ("rename_forwarder", ("sales@client1.test", "shop@client1.test"), {}),
    ("delete_forwarder", ("shop@client1.test",), {}),
    # CGPCLI writes no space between CREATEGROUP's name and its settings: the name ends at the `{`
    ("create_group", ("team@client1.test",), {"settings": {"RealName": "Team", "Members": ["viewer"]}}),
    ("list_groups", (D,), {}), ("get_group", ("team@client1.test",), {}),
    ("set_group", ("team@client1.test", {"RealName": "Crew", "Members": ["viewer", "far@remote.example"]}), {}),
    ("rename_group", ("team@client1.test", "crew@client1.test"), {}), ("delete_group", ("crew@client1.test",), {}),
    # get_forwarder and find_forwarders are not called: CGPCLI 1.1.9 writes no space after their
    # command word (GETFORWARDERname), a line no CommuniGate server reads; tests/forwarders/test_cli.py
    # sends their commands as the CLI documents them.
    # Mailing lists (CGPCLI sends ListLists/GetDomainLists' domain after a stray OFFSET word: called
    # without one, they answer for the caller's own domain)
    ("create_list", ("staff@client1.test", "u1"), {}), ("list_lists", (), {}), ("get_domain_lists", (), {}),
    ("get_account_lists", (A,), {}), ("get_list", ("staff@client1.test",), {}),
    ("update_list", ("staff@client1.test", {"Charset": "koi8-r"}), {}),
    ("list", ("staff@client1.test", "feed", "ann@remote.example"), {"silently": True}),
    ("list_subscribers", ("staff@client1.test",), {"filter": "ann", "limit": 5}),
    ("read_subscribers", ("staff@client1.test",), {}),
    ("get_subscriber_info", ("staff@client1.test", "ann@remote.example"), {}),
    ("set_posting_mode", ("staff@client1.test", "ann@remote.example"), {"posting_mode": "MODERATEALL"}),
    ("rename_list", ("staff@client1.test", "crew"), {}), ("delete_list", ("crew@client1.test",), {}),
    ("rename_account", (A, "u2@client1.test"), {}), ("delete_account", ("u2@client1.test",), {}),
]
# Calls that need what an earlier call answered (an alert's time stamp, a queued message's id).
NEEDS_ANSWERS = {"remove_account_alert", "remove_domain_alert", "remove_server_alert", "reject_queue_message"}


def methods_this_server_answers() -> set[str]:
    """CGPCLI's methods whose command (the first word they send) is in the command table."""
    sent: list[str] = []

    class Recorder(Server):
        def _operate(self, payload):  # type: ignore[override]
            sent.append(payload)
            return {}

    recorder = Recorder.__new__(Recorder)
    answered = set()
    for name, method in inspect.getmembers(Server, inspect.isfunction):
        if name.startswith("_") or name in ("connect", "login", "disconnect"):
            continue
        required = [p for p in list(inspect.signature(method).parameters.values())[1:] if p.default is p.empty]
        sent.clear()
        try:
            getattr(recorder, name)(*["x"] * len(required))
        except ValueError:  # the method checks its arguments first (List: a known operation)
            continue
        if sent and lookup(sent[0].split()[0]) is not None:
            answered.add(name)
    return answered


def test_every_method_the_server_can_answer_is_called_here():
    called = {name for name, _, _ in CALLS} | NEEDS_ANSWERS | set(LEFT_OUT)
    assert methods_this_server_answers() - called == set()


def test_every_cgpcli_method_the_server_knows_succeeds(live_cli, postmaster, client1, base, dns):  # noqa: F811
    factories.make_account(client1, "viewer")
    submit(base, "out", message(to="someone@remote.example"))  # a message waiting in the remote.example queue
    run_queue()
    server = Server("127.0.0.1", live_cli.port)
    server.connect()
    server.login("postmaster", factories.POSTMASTER_PASSWORD)
    failed = {}
    for name, args, kwargs in CALLS:
        try:
            answer = getattr(server, name)(*args, **kwargs)
        except Exception as problem:  # CGPCLI raises CommandFailedError with the answer line
            failed[name] = str(problem)[:200]
            continue
        if answer["header"] not in ("200", "201"):
            failed[name] = answer
    # the alerts' time stamps, as a script reads them back and removes one
    for target, post, get, remove in (
        ((), "post_server_alert", "get_server_alerts", "remove_server_alert"),
        ((D,), "post_domain_alert", "get_domain_alerts", "remove_domain_alert"),
        ((A.replace("u1", "viewer"),), "post_account_alert", "get_account_alerts", "remove_account_alert"),
    ):
        getattr(server, post)(*target, '"to remove"')
        stamp = next(iter(getattr(server, get)(*target)["body"]))
        try:
            getattr(server, remove)(*target, stamp)
        except Exception as problem:
            failed[remove] = str(problem)[:200]
    try:
        server.reject_queue_message("999999")
    except Exception as problem:  # no such message: the answer is an error, but one the client can read
        assert "'header': '5" in str(problem)
    server.disconnect()
    assert failed == {}, "\n".join(f"{name}: {why}" for name, why in failed.items())
