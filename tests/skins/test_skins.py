"""Skins as administrators use them: upload, dress the Domain WebAdmin, and nothing unsafe gets in."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cgadmin.errors import AccessDenied, InvalidInput
from cli.dispatch import execute
from logs.models import AuditEntry
from skins import look, services, storage
from tests import factories

pytestmark = pytest.mark.django_db
CSS = b".top { background: #004488; }"
HEADER = b'<div class="brand-banner">Welcome to {{ domain }}, {{ administrator }}</div>'


@pytest.fixture
def skinner(personas):
    return factories.make_domain_admin(personas.client1, "skinner", "CanModifySkins")


def test_a_domain_administrator_with_the_right_uploads_a_skin_file(personas, skinner, as_basic, settings):
    upload = SimpleUploadedFile("admin.css", CSS, content_type="text/css")

    response = as_basic(skinner).post("/Domain/Domains/client1.test/Skins",
                                      {"action": "upload", "skin": "blue", "upload": upload})

    assert response.status_code == 302
    path = storage.skins_root(personas.client1) / "Admin-blue" / "admin.css"
    assert path.read_bytes() == CSS
    assert str(path).startswith(str(settings.CGATE_BASE) + "/Domains/client1.test/WebSkins/")
    entry = AuditEntry.objects.get(event="skin.store")
    assert entry.object_name == "client1.test/blue/admin.css" and entry.actor_name == "skinner@client1.test"


def test_deleting_a_skin_file_asks_first_and_deletes_once_confirmed(personas, skinner, as_basic):
    storage.store_file(personas.client1, "blue", "admin.css", CSS)
    client = as_basic(skinner)
    delete = {"action": "delete", "skin": "blue", "name": "admin.css"}

    asked = client.post("/Domain/Domains/client1.test/Skins", delete)
    path = storage.skins_root(personas.client1) / "Admin-blue" / "admin.css"
    assert asked.status_code == 200 and "Yes, delete the file admin.css of the skin blue" in asked.content.decode()
    assert path.exists()
    unticked = client.post("/Domain/Domains/client1.test/Skins", {**delete, "confirming": "1"})
    assert unticked.status_code == 400 and path.exists()

    done = client.post("/Domain/Domains/client1.test/Skins", {**delete, "confirm": "on"})
    assert done.status_code == 302 and not path.exists()


def test_without_can_modify_skins_there_is_no_upload_and_a_forged_post_changes_nothing(personas, as_basic):
    admin = personas.domain_admin_with_right
    page = as_basic(admin).get("/Domain/Domains/client1.test/Skins")
    upload = SimpleUploadedFile("admin.css", CSS, content_type="text/css")

    forged = as_basic(admin).post("/Domain/Domains/client1.test/Skins",
                                  {"action": "upload", "skin": "blue", "upload": upload})

    assert page.status_code == 200 and b"Upload a file" not in page.content
    assert b"CanModifySkins" in forged.content
    assert not storage.skins_root(personas.client1).exists()


def test_another_domains_administrator_cannot_read_or_change_the_skins(personas, skinner):
    storage.store_file(personas.client1, "blue", "admin.css", CSS)

    with pytest.raises(AccessDenied):
        services.skin_files(actor=personas.other_domain_admin, domain=personas.client1, skin="blue")
    with pytest.raises(AccessDenied):
        services.skin_file_store(actor=personas.other_domain_admin, domain=personas.client1, skin="blue",
                                 name="admin.css", data=b"")


@pytest.mark.parametrize(("skin", "name", "data"), [
    ("../../Settings", "admin.css", CSS),
    ("blue", "../../../Main.settings", CSS),
    ("blue", "admin.js", b"alert(1)"),
    ("blue", "admin.php", b"<?php ?>"),
    ("blue", "index.html", b"<p>a whole page</p>"),
    ("blue", "adminheader.html", b"<script>alert(1)</script>"),
    ("blue", "adminheader.html", b'<a href="javascript:alert(1)">x</a>'),
    ("blue", "adminheader.html", b'<img src=x onerror="alert(1)">'),
    ("blue", "adminheader.html", b"{% debug %}"),
    ("blue", "adminheader.html", b"{{ request.user.password }}"),
    ("blue", "logo.svg", b'<svg><script>alert(1)</script></svg>'),
    ("blue", "admin.css", b"x" * (storage.MAX_FILE_SIZE + 1)),
])
def test_unsafe_uploads_are_refused_and_nothing_is_written(personas, skinner, skin, name, data, settings):
    with pytest.raises(InvalidInput):
        services.skin_file_store(actor=skinner, domain=personas.client1, skin=skin, name=name, data=data)

    written = [path for path in settings.CGATE_BASE.rglob("*") if path.is_file() and "WebSkins" in str(path)]
    assert written == []


def test_the_skin_dresses_a_domain_administrators_pages_but_never_the_server_webadmin(personas, skinner, as_basic):
    services.skin_file_store(actor=skinner, domain=personas.client1, skin="", name="admin.css", data=CSS)
    services.skin_file_store(actor=skinner, domain=personas.client1, skin="", name="adminheader.html", data=HEADER)

    dressed = as_basic(skinner).get("/Domain/Domains/client1.test/Accounts").content.decode()
    stock = as_basic(personas.postmaster).get("/Master/Users/Domains/client1.test/Accounts").content.decode()

    assert "Welcome to client1.test, skinner@client1.test" in dressed
    assert "/skins/file?skin=&amp;name=admin.css&amp;domain=client1.test" in dressed
    assert "brand-banner" not in stock and "/skins/file" not in stock


def test_placeholders_are_filled_in_escaped():
    filled = look.fill_fragment(b"<p>{{ administrator }} on {{domain}}</p>",
                                {"administrator": "<b>o'brien</b>", "domain": "client1.test"})

    assert filled == "<p>&lt;b&gt;o'brien&lt;/b&gt; on client1.test</p>"  # re-serialised by nh3: text, no tag


def test_a_chosen_skin_falls_back_to_the_server_wide_skin_of_that_name(personas, skinner, as_basic):
    services.skin_file_store(actor=None, domain=None, skin="corporate", name="adminheader.html",
                             data=b"<p>Corporate look</p>")

    chosen = as_basic(skinner).post("/Domain/Domains/client1.test/Skins", {"action": "choose", "skin": "corporate"})
    page = as_basic(skinner).get("/Domain/Domains/client1.test/Accounts").content.decode()

    assert chosen.status_code == 302
    skinner.refresh_from_db()
    assert skinner.settings["WebAdminPrefs"]["Skin"] == "corporate"
    assert "<p>Corporate look</p>" in page


def test_skin_files_are_served_sandboxed_to_those_who_may_read_them(personas, skinner, as_basic):
    storage.store_file(personas.client1, "blue", "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    url = "/skins/file?domain=client1.test&skin=blue&name=logo.svg"

    mine = as_basic(skinner).get(url)
    theirs = as_basic(personas.other_domain_admin).get(url)

    assert mine.status_code == 200 and mine["Content-Type"] == "image/svg+xml"
    assert mine["Content-Security-Policy"].startswith("sandbox")
    assert theirs.status_code == 403


def test_the_cli_stores_reads_lists_and_deletes_skin_files(personas):
    def cli(line: str):
        return execute(line, actor=personas.postmaster, logged_in=True, peer="192.0.2.1")

    stored = cli("StoreDomainSkinFile client1.test SKIN blue FILE admin.css DATA [LnRvcCB7IGNvbG9yOiByZWQ7IH0=]")
    listed = cli("ListDomainSkinFiles client1.test SKIN blue")
    skins = cli("ListDomainSkins client1.test")
    read = cli("ReadDomainSkinFile client1.test SKIN blue FILE admin.css")
    deleted = cli("StoreDomainSkinFile client1.test SKIN blue FILE admin.css DELETE")

    assert stored.ok and deleted.ok
    assert "admin.css" in listed.line() and "Size=#20" in listed.line().replace(" ", "")
    assert '"blue"' in skins.line() or "(blue)" in skins.line()
    assert "[LnRvcCB7IGNvbG9yOiByZWQ7IH0=]" in read.line()
    assert not (storage.skins_root(personas.client1) / "Admin-blue").exists()


def test_a_bad_cli_store_names_what_is_wrong(personas):
    answer = execute('StoreDomainSkinFile client1.test SKIN blue FILE "../x.css" DATA [eA==]',
                     actor=personas.postmaster, logged_in=True, peer="192.0.2.1")

    assert answer.code == 500 and "bad skin file name" in answer.line()


# --- page parts through an allow-list (nh3), and size limits -------------------------------------


BYPASSES = (b'<a href="/evil" /onclick="alert(1)">offers</a>'
            b'<a href="jav&#x61;script:alert(2)">help</a>'
            b'<p class="brand-banner" style="x" data-x="1">Welcome to {{ domain }}</p>')


def test_what_the_upload_check_missed_never_reaches_the_page(personas, skinner, as_basic):
    services.skin_file_store(actor=skinner, domain=personas.client1, skin="", name="adminheader.html", data=BYPASSES)

    page = as_basic(skinner).get("/Domain/Domains/client1.test/Accounts").content.decode()

    assert '<a href="/evil" rel="noopener noreferrer">offers</a>' in page
    assert "onclick" not in page and "alert(2)" not in page and "jav&#x61;script" not in page
    assert '<p class="brand-banner">Welcome to client1.test</p>' in page


def test_a_page_part_put_on_disk_by_hand_is_sanitised_too(personas, skinner, as_basic):
    services.skin_file_store(actor=skinner, domain=personas.client1, skin="", name="adminfooter.html",
                             data=b"<p>footer</p>")
    storage.file_path(personas.client1, "", "adminfooter.html").write_bytes(
        b"<p>footer</p><script>alert(3)</script><iframe src=//evil.example></iframe><form action=//evil></form>")

    page = as_basic(skinner).get("/Domain/Domains/client1.test/Accounts").content.decode()

    assert "<p>footer</p>" in page
    assert "alert(3)" not in page and "<iframe" not in page and "evil.example" not in page


def test_the_skins_of_a_domain_and_the_server_wide_skins_have_a_size_limit(personas, skinner, settings):
    settings.SKINS_MAX_DOMAIN_SIZE = 3000
    settings.SKINS_MAX_SERVER_SIZE = 1000
    services.skin_file_store(actor=skinner, domain=personas.client1, skin="blue", name="admin.css", data=b"x" * 2000)
    services.skin_file_store(actor=skinner, domain=personas.client1, skin="blue", name="admin.css", data=b"y" * 2900)

    with pytest.raises(InvalidInput) as refused:
        services.skin_file_store(actor=skinner, domain=personas.client1, skin="red", name="admin.css",
                                 data=b"z" * 200)
    assert refused.value.message == (
        "the skins of client1.test would take 3,100 bytes; at most 3,000 are allowed (SKINS_MAX_DOMAIN_SIZE)")
    with pytest.raises(InvalidInput) as server_wide:
        services.skin_file_store(actor=personas.postmaster, domain=None, skin="", name="admin.css", data=b"s" * 1001)
    assert "the server-wide skins would take 1,001 bytes; at most 1,000" in server_wide.value.message
    assert storage.list_skins(personas.client1) == ["blue"]
