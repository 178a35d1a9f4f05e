"""The Monitors pages of the Server Log: the files and the viewer, a file's download, Log Settings."""

import pytest

from logs import serverlog
from logs.models import AuditEntry
from logs.selectors import log_settings
from tests import factories
from tests.helpers import set_objects_per_page, set_separate_realms, table_rows
from tests.webforms import form_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(log_folder):
    log_folder.mkdir(parents=True)
    (log_folder / "2026-05-01.log").write_text(
        "08:00:00.000 2 SYSTEM server started\n"
        "09:15:00.000 3 CLI-000002([10.0.0.5]:41000) login failed for 'jane@client1.test'\n"
    )
    lines = [f"10:{n // 60:02d}:{n % 60:02d}.000 4 QUEUE-{n:06d} message {n}" for n in range(150)]
    (log_folder / "2026-05-02.log").write_text("\n".join(lines) + "\n")
    serverlog.log("SYSTEM", 1, "written today")
    return log_folder


def test_the_logs_page_lists_the_files_with_the_current_one_marked(postmaster, as_basic, logs):
    page = as_basic(postmaster).get("/Master/Monitors/Logs").content.decode()

    current = serverlog.current_file().name
    assert "2026-05-01.log" in page and "2026-05-02.log" in page
    assert f'{current}</a> <strong class="badge current-file">current</strong>' in page
    assert page.index("written today") < page.index("message 149") < page.index("message 101<")
    assert "message 100<" not in page  # fifty records a page: the default Objects per page
    assert len(table_rows(page, 1)) == 50


def test_the_viewer_shows_the_monitors_realms_objects_per_page(postmaster, as_basic, logs):
    set_objects_per_page(postmaster, "Users", 3)  # another realm's preference changes nothing here
    set_objects_per_page(postmaster, "Monitors", 7)
    client = as_basic(postmaster)

    first = client.get("/Master/Monitors/Logs", {"tag": "queue"})
    rows = table_rows(first.content.decode(), 1)
    second = client.get("/Master/Monitors/Logs", {"tag": "queue", "cursor": first.context["page"].next_cursor})

    assert len(rows) == 7 and "message 149" in rows[0] and "message 143" in rows[6]
    assert [record.text for record in second.context["page"].records] == [f"message {n}" for n in range(142, 135, -1)]


def test_the_viewer_filters_and_pages_by_cursor(postmaster, as_basic, logs):
    set_objects_per_page(postmaster, "Monitors", 100)
    client = as_basic(postmaster)

    first = client.get("/Master/Monitors/Logs", {"tag": "queue", "level": "4", "text": "message"})
    assert first.status_code == 200
    assert first.context["page"].records[0].text == "message 149"
    cursor = first.context["page"].next_cursor
    assert f"cursor={cursor}" in first.content.decode().replace("%3A", ":")
    second = client.get("/Master/Monitors/Logs", {"tag": "queue", "level": "4", "text": "message", "cursor": cursor})
    assert [record.text for record in second.context["page"].records] == [f"message {n}" for n in range(49, -1, -1)]
    assert second.context["page"].next_cursor is None

    regex = client.get("/Master/Monitors/Logs", {"text": r"failed for '\w+@", "regex": "on"})
    assert [record.tag for record in regex.context["page"].records] == ["CLI"]
    ranged = client.get("/Master/Monitors/Logs", {"since": "2026-05-01T08:30", "until": "2026-05-01T23:00"})
    assert [record.text for record in ranged.context["page"].records] == ["login failed for 'jane@client1.test'"]
    one_file = client.get("/Master/Monitors/Logs", {"file": "2026-05-01.log"})
    assert len(one_file.context["page"].records) == 2


def test_bad_filters_are_named_and_nothing_is_searched(postmaster, as_basic, logs):
    client = as_basic(postmaster)

    bad_regex = client.get("/Master/Monitors/Logs", {"text": "(unclosed", "regex": "on"})
    bad_time = client.get("/Master/Monitors/Logs", {"since": "yesterday"})
    bad_cursor = client.get("/Master/Monitors/Logs", {"cursor": "../../secret:0"})

    assert bad_regex.status_code == 400 and "not a regular expression" in bad_regex.content.decode()
    assert bad_time.status_code == 400 and bad_time.context["form"].errors["since"]
    assert bad_cursor.status_code == 400 and "cursor is not valid" in bad_cursor.content.decode()


def test_a_log_file_downloads_as_it_is_on_disk(postmaster, as_basic, logs):
    response = as_basic(postmaster).get("/Master/Monitors/Logs/2026-05-01.log")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (logs / "2026-05-01.log").read_bytes()
    assert as_basic(postmaster).get("/Master/Monitors/Logs/passwd").status_code == 404
    assert as_basic(postmaster).get("/Master/Monitors/Logs/2020-01-01.log").status_code == 404


def test_monitors_pages_need_the_monitor_right(personas, as_basic, logs):
    set_separate_realms(True)

    for url in ("/Monitors/Logs", "/Monitors/LogSettings", "/Monitors/Audit", "/Monitors/Logs/2026-05-01.log",
                "/Monitors/Statistics", "/Monitors/Notifications"):
        assert as_basic(personas.monitor).get(url).status_code == 200, url
        assert as_basic(personas.settings_admin).get(url).status_code == 403, url
        assert as_basic(personas.domain_admin_with_right).get(url).status_code == 403, url


def test_log_settings_are_read_only_without_can_tune_logger_settings(personas, as_basic, log_folder):
    set_separate_realms(True)
    client = as_basic(personas.monitor)

    page = client.get("/Monitors/LogSettings").content.decode()
    refused = client.post("/Monitors/LogSettings", {"level_CLI": "5", "KeepDays": "3"})

    assert "read-only" in page and 'name="level_CLI" disabled' in page
    assert refused.status_code == 403 and "CanTuneLoggerSettings" in refused.content.decode()
    assert log_settings()["Levels"]["CLI"] == 2


def test_log_settings_change_levels_rotation_and_log_all(personas, as_basic, log_folder):
    set_separate_realms(True)
    tuner = factories.make_account(None, "tuner", rights=["Monitor", "CanTuneLoggerSettings"])
    client = as_basic(tuner)

    changed = client.post("/Monitors/LogSettings", {"level_CLI": "5", "level_SYSTEM": "3", "RotationPeriod": "6h",
                                                     "RotationSize": "10M", "KeepDays": "14"})
    bad = client.post("/Monitors/LogSettings", {"RotationPeriod": "5m"})
    switched = client.post("/Monitors/LogSettings", {"action": "logall", "value": "ON"})

    assert changed.status_code == 302 and switched.status_code == 302
    assert bad.status_code == 400 and "too short" in bad.content.decode()
    values = log_settings()
    assert (values["Levels"]["CLI"], values["Levels"]["SYSTEM"]) == (5, 3)
    assert (values["RotationPeriod"], values["RotationSize"], values["KeepDays"], values["LogAll"]) == (
        "6h", "10M", 14, "YES",
    )
    entry = AuditEntry.objects.filter(event="log.all").get()
    assert (entry.actor_name, entry.interface) == (tuner.address, "WebAdmin")


def test_the_log_files_are_listed_a_page_at_a_time(postmaster, as_basic, log_folder):
    log_folder.mkdir(parents=True)
    for day in range(1, 8):
        (log_folder / f"2026-05-0{day}.log").write_text(f"08:00:00.000 2 SYSTEM day {day}\n")
    set_objects_per_page(postmaster, "Monitors", 3)
    client = as_basic(postmaster)

    first = client.get("/Master/Monitors/Logs")
    second = client.get("/Master/Monitors/Logs", {"files_after": "2026-05-05.log", "tag": "system"})

    def listed(response) -> list[str]:
        return [file["name"] for file in response.context["files"]]

    assert listed(first) == ["2026-05-07.log", "2026-05-06.log", "2026-05-05.log"]
    assert "Server Log files (7)" in first.content.decode()
    assert 'files_after=2026-05-05.log" rel="next"' in first.content.decode()
    assert listed(second) == ["2026-05-04.log", "2026-05-03.log", "2026-05-02.log"]
    assert '?files_after=2026-05-02.log&amp;tag=system" rel="next"' in second.content.decode()  # the search kept
    last = client.get("/Master/Monitors/Logs", {"files_after": "2026-05-02.log"})
    assert listed(last) == ["2026-05-01.log"] and 'rel="next"' not in last.content.decode().split("</details>")[0]
    gone = client.get("/Master/Monitors/Logs", {"files_after": "2020-01-01.log"})  # rotated away meanwhile
    assert listed(gone) == listed(first)


def test_log_settings_rotation_is_a_number_and_a_unit(personas, as_basic, log_folder):
    """The page's controls (issue 17 item 5): what is picked is written as the data format says; a
    control left alone keeps its value."""
    set_separate_realms(True)
    client = as_basic(factories.make_account(None, "tuner", rights=["Monitor", "CanTuneLoggerSettings"]))
    page = client.get("/Monitors/LogSettings").content.decode()
    assert '<option value="h" selected>hours</option>' in page
    assert 'name="RotationSize:n" id="id_RotationSize_n" value="100"' in page

    data = form_with(page, None, **{"RotationPeriod:n": "6", "RotationSize:u": "unlimited"})
    assert client.post("/Monitors/LogSettings", data).status_code == 302

    values = log_settings()
    assert (values["RotationPeriod"], values["RotationSize"], values["KeepDays"]) == ("6h", "unlimited", 30)


def _options(page: str, name: str) -> list[tuple[str, str]]:
    """(value, text) of each option of the select with this name, the selected one marked with '*'."""
    import re

    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    return [(value, ("*" if selected else "") + text.strip())
            for value, selected, text in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)]


def test_a_log_level_shows_its_name_only_in_every_select_and_read_only_line(postmaster, client1, as_basic, expert,
                                                                             log_folder):
    """Log Settings, the log viewer's filter and the General page's Server Internals Log name a level as
    the Log Settings page calls it ("Major"), never with its digit ("2 Major"); a 'use default' line says
    Yes/No in the page's language."""
    from accounts.services import account_update_prefs
    from domains.services import domain_update_settings
    from server.services import server_settings_update

    client = as_basic(expert(postmaster))
    settings_page = client.get("/Master/Monitors/LogSettings").content.decode()
    assert _options(settings_page, "level_CLI") == [
        ("0", "None"), ("1", "Crashes"), ("2", "*Major"), ("3", "Problems"), ("4", "Low-Level"), ("5", "All Info")]
    viewer = client.get("/Master/Monitors/Logs").content.decode()
    assert _options(viewer, "level")[1:4] == [("0", "None and below"), ("1", "Crashes and below"),
                                              ("2", "Major and below")]

    server_settings_update(actor=None, updates={"LogLevel": 4})
    domains_page = "/Master/Users/Domains/client1.test/Settings"
    domain_update_settings(actor=None, domain=client1, updates={"AutoSignup": "YES"})
    assert "use default: <code>No</code>" in client.get(domains_page).content.decode()  # not the data's NO
    domain_update_settings(actor=None, domain=client1, updates={"MailRerouteAddress": "x@client2.test"})
    assert 'use default: (empty)' in client.get(domains_page).content.decode()  # not the data's ""

    account_update_prefs(actor=None, account=postmaster, updates={"Language": "German"})
    german = client.get("/Master/Monitors/LogSettings").content.decode()
    assert _options(german, "level_CLI")[2] == ("2", "*Wichtig")
    general = client.get("/Master/Settings/General").content.decode()
    assert ("4", "*Details") in _options(general, "s_LogLevel")
    assert "<code>Nein</code>" in client.get(domains_page).content.decode()
