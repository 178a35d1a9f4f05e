"""URL matrix rows of a domain's Mailing Lists pages (Users realm). Creating, renaming and removing a
list needs CanCreateLists, managing one CanAccessLists; no Domain Administrator persona holds either,
so only AllDomains and Master may change (the list owner manages its list over the CLI)."""

from lists.services import list_create, list_subscribe
from tests.realms.matrix import CLIENT1_READERS, SERVER_WRITERS, Case, UrlRow

CLIENT1 = {"domain": "client1.test"}
STAFF = {"domain": "client1.test", "name": "staff"}


def _staff(personas) -> None:
    staff = list_create(actor=None, domain=personas.client1, name="staff", owner="user")
    list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber="sub@remote.example")


MATRIX = {
    "Users:domain_lists": UrlRow(
        args=CLIENT1, get=Case(ok=CLIENT1_READERS, setup=_staff),
        post=Case(ok=SERVER_WRITERS, data={"action": "create", "name": "news", "owner": "user"}),
    ),
    "Users:domain_list": UrlRow(
        args=STAFF, get=Case(ok=CLIENT1_READERS, setup=_staff),
        post=(Case(ok=SERVER_WRITERS, setup=_staff, data={
                  "action": "settings", "real_name": "Staff", "subscribe": "anybody", "postings": "moderated",
                  "charset": "utf-8", "size_limit": "unlimited"}),
              Case(ok=SERVER_WRITERS, setup=_staff, data={"action": "subscribe", "address": "a@remote.example",
                                                          "mode": "digest"}),
              Case(ok=SERVER_WRITERS, setup=_staff, data={"action": "unsubscribe", "address": "sub@remote.example",
                                                          "confirm": "on"}),
              Case(ok=SERVER_WRITERS, setup=_staff, data={"action": "rename", "new_name": "crew"}),
              Case(ok=SERVER_WRITERS, setup=_staff, data={"action": "remove", "confirm": "on"})),
    ),
}
