"""The Strings page of the Settings realm and the GetServerStrings / SetServerStrings verbs."""

import pytest

from cgadmin import dataformat
from cli.dispatch import execute
from logs.models import AuditEntry
from server import documents, strings
from tests.factories import make_account
from tests.helpers import set_separate_realms
from tests.webforms import form_with, main_of

pytestmark = pytest.mark.django_db
URL = "/Master/Settings/Strings"


@pytest.fixture(autouse=True)
def _fresh_strings():
    strings.forget()
    yield
    strings.forget()


@pytest.fixture
def admin(postmaster, expert):
    return expert(postmaster)


def test_each_keyword_shows_its_default_above_and_a_custom_field_below(admin, as_basic):
    page = main_of(as_basic(admin).get(URL))

    row = page[page.index('id="string-EventDeclineReason"'):]
    row = row[:row.index("</tr>")]
    assert row.index("This time slot is assigned to ^0") < row.index('name="text-EventDeclineReason"')
    assert 'name="mode-EventDeclineReason" value="default" checked' in row
    assert 'value="custom">' in row and "^0 event title" in row
    for group, _items in strings.groups():
        assert f"<legend>{group}</legend>" in page


def test_customise_a_string_and_restore_its_default(admin, as_basic, django_capture_on_commit_callbacks):
    client = as_basic(admin)
    fields = form_with(main_of(client.get(URL)))
    fields.update({"mode-PWDByeBye": "custom", "text-PWDByeBye": "see you"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, fields)

    assert response.status_code == 302
    assert strings.text("PWDByeBye") == "see you"
    assert documents.read(documents.STRINGS) == {"PWDByeBye": "see you"}  # only the customised one
    page = main_of(client.get(URL))
    assert 'name="mode-PWDByeBye" value="custom" checked' in page and 'value="see you"' in page
    entry = AuditEntry.objects.get(event="server.strings")
    assert entry.actor == admin and "see you" in entry.after

    fields = form_with(main_of(client.get(URL)))
    fields["mode-PWDByeBye"] = "default"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, fields).status_code == 302
    assert strings.text("PWDByeBye") == "CommuniGate Pro PWD connection closed"
    assert documents.read(documents.STRINGS) == {}


def test_strings_of_protocols_this_server_does_not_serve_are_marked(admin, as_basic):
    page = main_of(as_basic(admin).get(URL))
    marked = []
    for fieldset in page.split("<fieldset")[1:]:
        legend = fieldset[fieldset.index("<legend>") + 8:fieldset.index("</legend>")]
        if "does not serve this protocol" in fieldset:
            marked.append(legend)

    assert marked == [strings.MAIL_ACCESS_GROUP, strings.SMTP_GROUP, strings.CALENDAR_GROUP]
    assert strings.CLI_GROUP not in marked and strings.WEBADMIN_GROUP not in marked


def test_a_bad_custom_text_is_refused_next_to_its_string_and_nothing_is_saved(admin, as_basic):
    client = as_basic(admin)
    fields = form_with(main_of(client.get(URL)))
    fields.update({"mode-PWDByeBye": "custom", "text-PWDByeBye": "fine",
                   "mode-EventDeclineReason": "custom", "text-EventDeclineReason": "busy with ^3"})

    response = client.post(URL, fields)

    assert response.status_code == 400
    page = main_of(response)
    row = page[page.index('id="string-EventDeclineReason"'):]
    assert "^3 is not a parameter of this string" in row[:row.index("</tr>")]
    assert 'value="busy with ^3"' in page  # what was typed stays on the page
    assert documents.read(documents.STRINGS) == {}


def test_the_page_needs_the_settings_right(postmaster, as_basic, client1):
    set_separate_realms(True)
    settings_admin = make_account(None, "settingsadmin", rights=["Settings"])
    monitor = make_account(None, "monitor", rights=["Monitor"])

    assert as_basic(settings_admin).get("/Settings/Strings").status_code == 200
    assert as_basic(monitor).get("/Settings/Strings").status_code == 403


def test_the_cli_reads_and_sets_customised_strings(postmaster):
    assert execute("GetServerStrings", actor=postmaster).data == "{}"

    answer = execute('SetServerStrings {pwdbyebye="bye now"; EventDeclineReason="taken by ^0";}', actor=postmaster)

    assert answer.code == 200
    assert dataformat.loads(execute("GetServerStrings", actor=postmaster).data) == {
        "EventDeclineReason": "taken by ^0", "PWDByeBye": "bye now"}
    assert strings.text("EventDeclineReason", "Lunch") == "taken by Lunch"
    execute("SetServerStrings {PWDByeBye=default;}", actor=postmaster)
    assert dataformat.loads(execute("GetServerStrings", actor=postmaster).data) == {
        "EventDeclineReason": "taken by ^0"}
    refused = execute('SetServerStrings {PWDByeBye="two\\nlines";}', actor=postmaster)
    assert refused.code == 500 and "one line" in refused.text


def test_a_refusal_for_want_of_a_right_answers_403_with_nothing_saved(admin, as_basic, monkeypatch):
    """The page answers a rights refusal as every page does (realms.viewtools.call_service): 403."""
    from cgadmin.errors import AccessDenied
    from server import views

    def refuse(**kwargs):
        raise AccessDenied("not enough access rights to change the Server Strings")

    monkeypatch.setattr(views, "server_strings_update", refuse)
    client = as_basic(admin)
    fields = form_with(main_of(client.get(URL)))
    fields.update({"mode-PWDByeBye": "custom", "text-PWDByeBye": "fine"})

    response = client.post(URL, fields)

    assert response.status_code == 403
    assert "not enough access rights to change the Server Strings" in response.content.decode()
    assert documents.read(documents.STRINGS) == {}
