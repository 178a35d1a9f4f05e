"""Server Strings: the catalogue, ^N parameters, customising, restoring, and immediate use."""

import pytest

from cgadmin.errors import AccessDenied, InvalidInput
from logs.models import AuditEntry
from server import documents, strings
from server.selectors import server_strings_customised
from server.services import server_strings_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_strings():
    strings.forget()
    yield
    strings.forget()


def test_defaults_of_the_seed_with_parameters_filled_in(postmaster):
    assert strings.text("EventDeclineReason", "Board meeting") == "This time slot is assigned to Board meeting"
    assert strings.text("SubjectFailed") == "Undeliverable mail"
    assert strings.text("FTPPrompt", "6.3") == "CommuniGate Pro FTP Server 6.3 ready"
    assert strings.text("FTPByeBye") == "CommuniGate Pro FTP Server connection closed"
    assert strings.text("pwdprompt", "mail.example.test", "6.3") == (
        "mail.example.test CommuniGate Pro PWD Server 6.3 ready"
    )


def test_parameters_are_filled_in_one_pass_and_missing_ones_are_empty(postmaster):
    assert strings.text("EventDeclineReason", "^0 and ^1") == "This time slot is assigned to ^0 and ^1"
    assert strings.text("EventDeclineReason") == "This time slot is assigned to "


def test_an_unknown_keyword_is_refused_by_name(postmaster):
    with pytest.raises(InvalidInput, match="unknown Server String 'NoSuchString'"):
        strings.text("NoSuchString")


def test_a_custom_string_is_used_at_once_and_default_restores_it(postmaster, django_capture_on_commit_callbacks):
    assert strings.text("SubjectFailed") == "Undeliverable mail"  # now cached in this process
    with django_capture_on_commit_callbacks(execute=True):
        server_strings_update(actor=postmaster, updates={"subjectFAILED": "Returned mail"})

    assert strings.text("SubjectFailed") == "Returned mail"
    assert documents.read(documents.STRINGS) == {"SubjectFailed": "Returned mail"}
    assert server_strings_customised(postmaster) == {"SubjectFailed": "Returned mail"}

    with django_capture_on_commit_callbacks(execute=True):
        server_strings_update(actor=postmaster, updates={"SubjectFailed": "default"})

    assert strings.text("SubjectFailed") == "Undeliverable mail"
    assert documents.read(documents.STRINGS) == {}


def test_other_processes_pick_up_a_change_after_the_cache_period(postmaster, monkeypatch):
    assert strings.text("FTPByeBye") == "CommuniGate Pro FTP Server connection closed"
    # Another process changed the document: this one has not been told (no forget()).
    documents.write(documents.STRINGS, {"FTPByeBye": "Bye"})
    monkeypatch.setattr(strings, "STRINGS_CACHE_SECONDS", 0.0)

    assert strings.text("FTPByeBye") == "Bye"


def test_a_custom_text_with_parameters(postmaster):
    server_strings_update(actor=None, updates={"EventDeclineReason": "Busy: ^0 (sorry)"})
    strings.forget()

    assert strings.text("EventDeclineReason", "Lunch") == "Busy: Lunch (sorry)"


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        ({"Nope": "x"}, "unknown Server String 'Nope'"),
        ({"FTPPrompt": "ready\r\n230 logged in"}, "must be one line"),
        ({"FTPPrompt": "ready ^1"}, "^1 is not a parameter of this string; it has ^0 (version)"),
        ({"SubjectFailed": "x ^0"}, "it has none"),
        ({"SubjectFailed": ["a"]}, "must be a string"),
        ({"SubjectFailed": "a\x07b"}, "control characters"),
        ({"SubjectFailed": "x" * 2001}, "longer than 2000"),
    ],
)
def test_bad_custom_strings_are_refused_and_nothing_changes(postmaster, updates, message):
    server_strings_update(actor=postmaster, updates={"SubjectDelayed": "Late"})

    with pytest.raises(InvalidInput) as refused:
        server_strings_update(actor=postmaster, updates={"SubjectDelayed": "Later", **updates})

    assert message in refused.value.message
    assert documents.read(documents.STRINGS) == {"SubjectDelayed": "Late"}


def test_message_bodies_may_have_several_lines(postmaster):
    server_strings_update(actor=postmaster, updates={"BounceIntro": "Line one\nLine two from ^0"})
    strings.forget()

    assert strings.text("BounceIntro", "mail.example.test") == "Line one\nLine two from mail.example.test"


def test_the_change_is_audited_with_before_and_after(postmaster):
    server_strings_update(actor=postmaster, updates={"SubjectFailed": "Returned mail"})
    server_strings_update(actor=postmaster, updates={"SubjectFailed": "default"})

    first, second = AuditEntry.objects.filter(event="server.strings").order_by("pk")
    assert first.before == '{SubjectFailed=default;}' and first.after == '{SubjectFailed="Returned mail";}'
    assert second.before == '{SubjectFailed="Returned mail";}' and second.after == '{SubjectFailed=default;}'


def test_an_unchanged_update_records_nothing(postmaster):
    server_strings_update(actor=postmaster, updates={"SubjectFailed": "default"})

    assert not AuditEntry.objects.filter(event="server.strings").exists()


def test_the_settings_right_is_needed(personas):
    server_strings_update(actor=personas.settings_admin, updates={"SubjectFailed": "Returned mail"})
    assert server_strings_customised(personas.settings_admin) == {"SubjectFailed": "Returned mail"}

    for outsider in (personas.monitor, personas.all_domains, personas.domain_admin_with_right):
        with pytest.raises(AccessDenied):
            server_strings_update(actor=outsider, updates={"SubjectFailed": "Hacked"})
        with pytest.raises(AccessDenied):
            server_strings_customised(outsider)
    assert documents.read(documents.STRINGS) == {"SubjectFailed": "Returned mail"}
