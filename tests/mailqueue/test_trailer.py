"""AddMailTrailer and TrailerText: the copies delivered from a domain's accounts carry the domain's
trailer text, through the real queue (Submitted/ -> pickup -> delivery into the INBOX)."""

from __future__ import annotations

import email
from email import policy

import pytest

from domains.services import account_defaults_update, domain_update_settings
from mailqueue.trailer import add_trailer
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, message, run_queue, submit

pytestmark = pytest.mark.django_db
TRAILER = "-- \nSent from client1.test: Grüße"


@pytest.fixture
def trailer_domain(client1):
    domain_update_settings(actor=None, domain=client1, updates={"TrailerText": TRAILER})
    return client1


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=policy.default)


def test_a_plain_message_of_an_account_with_add_mail_trailer_ends_with_the_trailer(base, trailer_domain):
    make_account(trailer_domain, "bob", AddMailTrailer="YES")
    jane = make_account(trailer_domain, "jane")
    submit(base, "m", message(body="Hello Jane.\n", extra="Content-Type: text/plain; charset=UTF-8\n"))

    run_queue()

    (got,) = inbox_messages(jane)
    assert got.endswith(b"Hello Jane.\n\n-- \nSent from client1.test: Gr\xc3\xbc\xc3\x9fe\n")  # declared UTF-8


def test_a_non_ascii_trailer_on_a_message_of_another_charset_comes_as_its_own_utf8_part(base, trailer_domain):
    make_account(trailer_domain, "bob", AddMailTrailer="YES")
    jane = make_account(trailer_domain, "jane")
    submit(base, "m", message(body="Hello Jane.\n"))  # no Content-Type: US-ASCII text

    run_queue()

    (got,) = inbox_messages(jane)
    first, second = parsed(got).iter_parts()
    assert first.get_content().strip() == "Hello Jane."
    assert second.get_content().strip() == "-- \nSent from client1.test: Grüße"


def test_no_trailer_without_add_mail_trailer_without_text_or_from_elsewhere(base, client1, client2, dns):
    domain_update_settings(actor=None, domain=client1, updates={"TrailerText": TRAILER})
    make_account(client1, "bob")  # AddMailTrailer NO (the default)
    make_account(client2, "ann", AddMailTrailer="YES")  # client2 has no TrailerText
    jane = make_account(client1, "jane")
    submit(base, "a", message(sender="bob@client1.test", message_id="<a@test>"))
    submit(base, "b", message(sender="ann@client2.test", message_id="<b@test>"))
    submit(base, "c", message(sender="someone@remote.example", message_id="<c@test>"))

    run_queue()

    copies = inbox_messages(jane)
    assert len(copies) == 3
    assert not any(b"Sent from client1.test" in copy for copy in copies)


def test_add_mail_trailer_from_the_domains_account_defaults(base, trailer_domain):
    account_defaults_update(actor=None, domain=trailer_domain, updates={"AddMailTrailer": "YES"})
    make_account(trailer_domain, "bob")
    jane = make_account(trailer_domain, "jane")
    submit(base, "m", message())

    run_queue()

    (got,) = inbox_messages(jane)
    assert b"Sent from client1.test" in got


def test_a_multipart_message_gets_the_trailer_as_one_more_text_part(base, trailer_domain):
    make_account(trailer_domain, "bob", AddMailTrailer="YES")
    jane = make_account(trailer_domain, "jane")
    body = ('--XyZ\nContent-Type: text/plain\n\nThe text.\n--XyZ\nContent-Type: application/octet-stream\n'
            'Content-Transfer-Encoding: base64\n\nAAEC\n--XyZ--\n')
    submit(base, "m", message(extra='MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XyZ"\n', body=body))

    run_queue()

    (got,) = inbox_messages(jane)
    parts = list(parsed(got).iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "application/octet-stream", "text/plain"]
    assert parts[0].get_content().strip() == "The text."
    assert parts[1].get_content() == b"\x00\x01\x02"
    assert parts[2].get_content().startswith("-- \nSent from client1.test: Grüße")


def test_an_html_message_becomes_multipart_with_its_content_first():
    original = (b"From: bob@client1.test\r\nTo: jane@client1.test\r\nSubject: Hi\r\nContent-Type: text/html\r\n"
                b"\r\n<p>Hi</p>\r\n")

    got = parsed(add_trailer(original, TRAILER))

    assert got["Subject"] == "Hi" and got.get_content_type() == "multipart/mixed"
    first, second = got.iter_parts()
    assert first.get_content_type() == "text/html" and first.get_content().strip() == "<p>Hi</p>"
    assert second.get_content().startswith("-- \r\nSent from") or second.get_content().startswith("-- \nSent from")


def test_the_queue_file_keeps_the_message_as_submitted(base, trailer_domain):
    from mailqueue.models import QueuedMessage

    make_account(trailer_domain, "bob", AddMailTrailer="YES")
    make_account(trailer_domain, "jane", MaxAccountSize="1K", QuotaSuspend="YES")  # over quota: it waits
    submit(base, "m", message(body="x" * 2000 + "\n"))

    run_queue()

    from mailqueue import queuefile

    waiting = QueuedMessage.objects.get(state=QueuedMessage.QUEUED)
    assert b"Sent from client1.test" not in queuefile.read_message(waiting.pk)
