"""Matrix rows of the Mailing Lists section's CLI verbs (tests/cli/matrix.py says how rows work).

Every row runs after `lists_ready`: staff@client1.test is owned by the plain user (user@client1.test,
who manages it as its owner) and has one subscriber, and admin@client1.test holds CanCreateLists and
CanAccessLists; weakadmin@client1.test (Domain only) and admin@client2.test hold neither."""

from accounts.services import account_set_rights
from lists.services import list_create, list_subscribe
from tests.cli.matrix import ADMIN, CLIENT1_READERS, SERVER_WRITERS, USER, Row

LIST_RIGHTS = ["CanCreateLists", "CanAccessLists"]
CREATORS = SERVER_WRITERS | {ADMIN}
MANAGERS = SERVER_WRITERS | {ADMIN, USER}


def lists_ready(personas) -> None:
    admin = personas.domain_admin_with_right
    account_set_rights(actor=None, account=admin, rights=[*admin.rights, *LIST_RIGHTS])
    staff = list_create(actor=None, domain=personas.client1, name="staff", owner="user")
    list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber="sub@remote.example")


def row(arguments: str, ok, **kwargs) -> Row:
    return Row(arguments, ok=ok, setup=lists_ready, **kwargs)


MATRIX = {
    "ListLists": row("client1.test", CLIENT1_READERS | {ADMIN}),
    "GetDomainLists": row("client1.test", CLIENT1_READERS | {ADMIN}),
    "GetAccountLists": row("user@client1.test", CLIENT1_READERS | {ADMIN, USER}),
    "CreateList": row("news@client1.test FOR user", CREATORS),
    "RenameList": row("staff@client1.test INTO crew", CREATORS),
    "DeleteList": row("staff@client1.test", CREATORS),
    "GetList": row("staff@client1.test", MANAGERS),
    "UpdateList": row('staff@client1.test {Charset="iso-8859-1";}', MANAGERS),
    "List": row("staff@client1.test digest new@remote.example", MANAGERS),
    "ListSubscribers": row("staff@client1.test FILTER remote 10", MANAGERS),
    "ReadSubscribers": row("staff@client1.test", MANAGERS),
    "GetSubscriberInfo": row("staff@client1.test NAME sub@remote.example", MANAGERS),
    "SetPostingMode": row("staff@client1.test FOR sub@remote.example MODERATEALL", MANAGERS),
}
