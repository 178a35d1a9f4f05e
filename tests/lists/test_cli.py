"""What the Mailing Lists verbs answer (CommuniGate's CLI, "Mailing Lists Administration"), as the
list's owner and as the postmaster."""

from __future__ import annotations

import pytest

from cgadmin.dataformat import loads
from cli.dispatch import execute
from lists.models import MailingList

pytestmark = pytest.mark.django_db


def ask(line: str, actor=None):
    answer = execute(line, actor=actor)
    assert answer.ok, answer.line()
    return loads(answer.data) if answer.data is not None else None


def test_a_list_is_created_filled_read_and_removed_over_the_cli(personas):
    user = personas.plain_user
    ask("CreateList staff@client1.test for user")
    ask('List staff@client1.test subscribe "Ann Example <ann@remote.example>"', user)
    ask("List staff@client1.test digest silently bob@client2.test", user)
    ask("LIST staff@client1.test banned spam@remote.example", user)
    ask("List staff@client1.test feed confirm carol@remote.example", user)

    assert ask("ListLists client1.test") == ["staff"]
    assert ask("GetDomainLists client1.test") == {"staff": "4"}
    assert ask("GetAccountLists user@client1.test", user) == {"staff": "4"}
    assert ask("ListSubscribers staff@client1.test", user) == [
        "ann@remote.example", "bob@client2.test", "carol@remote.example", "spam@remote.example"]
    assert ask("ListSubscribers staff@client1.test FILTER remote 2", user) == [
        "ann@remote.example", "carol@remote.example"]
    ann = ask("GetSubscriberInfo staff@client1.test NAME ann@remote.example", user)
    assert (ann["mode"], ann["RealName"], ann["posts"]) == ("subscribe", "Ann Example", "0")
    assert len(ann["timeSubscribed"]) == 14
    assert ask("GetSubscriberInfo staff@client1.test NAME carol@remote.example")["mode"] == "subscribe"
    assert ask("GetSubscriberInfo staff@client1.test NAME nobody@remote.example") == {}
    count, descriptors = ask("ReadSubscribers staff@client1.test FILTER bob", user)
    assert count == 4 and [item["Sub"] for item in descriptors] == ["bob@client2.test"]

    ask("SetPostingMode staff@client1.test FOR ann@remote.example 2", user)
    assert ask("GetSubscriberInfo staff@client1.test NAME ann@remote.example")["posts"] == ["2"]
    ask("SetPostingMode staff@client1.test FOR ann@remote.example SPECIAL", user)
    assert ask("GetSubscriberInfo staff@client1.test NAME ann@remote.example")["posts"] == "special"

    ask('UpdateList staff@client1.test {Postings="moderated"; Charset="iso-8859-1";}', user)
    settings = ask("GetList staff@client1.test", user)
    assert (settings["Postings"], settings["Charset"], settings["Subscribe"]) == ("moderated", "iso-8859-1", "anybody")

    ask("List staff@client1.test unsubscribe bob@client2.test", user)
    ask("RenameList staff@client1.test into crew")
    assert ask("GetDomainLists client1.test") == {"crew": "3"}
    ask("DeleteList crew@client1.test")
    assert not MailingList.objects.exists()


def test_bad_requests_say_what_is_wrong(personas):
    ask("CreateList staff@client1.test FOR user")
    assert execute("CreateList other@client1.test FOR nobody", actor=None).line() == "513 unknown user account"
    assert execute("List staff@client1.test explode a@b.example", actor=None).code == 500
    assert execute("SetPostingMode staff@client1.test FOR a@b.example SPECIAL", actor=None).code == 501
    assert execute("RenameList staff@client1.test INTO crew@client2.test", actor=None).code == 500
    assert execute("GetList nosuch@client1.test", actor=personas.plain_user).line() == "513 unknown mailing list"
    assert execute("GetList staff@client2.test", actor=personas.plain_user).line() == "510 not enough access rights"
