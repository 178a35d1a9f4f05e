"""Reading submitted files: the PIPE module's rules for recipients, sender, Bcc and Envelope-To."""

import pytest

from mailqueue.submission import BadSubmission, parse_submission


def test_recipients_come_from_to_cc_and_bcc_and_bcc_is_removed():
    data = (b"From: Bob <bob@client1.test>\nTo: Jane <jane@client1.test>, ann@client1.test\n"
            b"Cc: carl@remote.example\nBcc: secret@client1.test,\n hidden@client2.test\nSubject: x\n\nbody\n")

    parsed = parse_submission(data)

    assert parsed.recipients == ["jane@client1.test", "ann@client1.test", "carl@remote.example",
                                 "secret@client1.test", "hidden@client2.test"]
    assert parsed.sender == "bob@client1.test"
    assert parsed.message == (b"From: Bob <bob@client1.test>\nTo: Jane <jane@client1.test>, ann@client1.test\n"
                              b"Cc: carl@remote.example\nSubject: x\n\nbody\n")


def test_envelope_to_wins_and_is_removed_from_the_message():
    data = (b"Envelope-To: only@client1.test\r\nFrom: bob@client1.test\r\nTo: jane@client1.test\r\n"
            b"Envelope-To: also@client2.test\r\n\r\nbody\r\n")

    parsed = parse_submission(data)

    assert parsed.recipients == ["only@client1.test", "also@client2.test"]
    assert parsed.message == b"From: bob@client1.test\r\nTo: jane@client1.test\r\n\r\nbody\r\n"


def test_the_sender_is_return_path_else_from():
    with_return_path = parse_submission(b"Return-Path: <bounces@client1.test>\nFrom: bob@client1.test\n"
                                        b"To: jane@client1.test\n\nx\n")
    null_sender = parse_submission(b"Return-Path: <>\nFrom: bob@client1.test\nTo: jane@client1.test\n\nx\n")

    assert with_return_path.sender == "bounces@client1.test"
    assert null_sender.sender == ""


def test_duplicate_recipients_are_listed_once():
    parsed = parse_submission(b"From: a@b.test\nTo: Jane@Client1.test, jane@client1.test\nCc: jane@client1.test\n\nx\n")

    assert parsed.recipients == ["Jane@Client1.test"]


def test_every_other_byte_is_kept():
    body = "Grüße\n>From the start\nFrom here\n" + "x" * 5000 + "\n"
    data = ("From: bob@client1.test\nTo: jane@client1.test\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\n\n" + body)

    parsed = parse_submission(data.encode("utf-8"))

    assert parsed.message == data.encode("utf-8")
    assert parsed.subject == "Grüße"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"this is not a message\nTo: jane@client1.test\n\n", "does not start with a message header"),
        (b"From: bob@client1.test\nSubject: no recipients\n\nx\n", "no recipient"),
        (b"From: bob@client1.test\nTo: undisclosed-recipients:;\n\nx\n", "no recipient"),
        (b"To: jane@client1.test\nSubject: no sender\n\nx\n", "no sender"),
        (b"From: bob@client1.test\nEnvelope-To: not an address@@\n\nx\n", "Envelope-To"),
    ],
)
def test_unparseable_files_say_why(data, reason):
    with pytest.raises(BadSubmission, match=reason):
        parse_submission(data)
