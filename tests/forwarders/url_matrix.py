"""URL matrix rows of a domain's Forwarders pages (Users realm). Changing them needs
CanCreateForwarders, which no Domain Administrator persona holds: only AllDomains and Master may."""

from forwarders.services import forwarder_create
from tests.realms.matrix import CLIENT1_READERS, SERVER_WRITERS, Case, UrlRow

CLIENT1 = {"domain": "client1.test"}
SALES = {"domain": "client1.test", "name": "sales"}


def _sales(personas) -> None:
    forwarder_create(actor=None, domain=personas.client1, name="sales", target="boss@remote.example")


MATRIX = {
    "Users:domain_forwarders": UrlRow(
        args=CLIENT1, get=Case(ok=CLIENT1_READERS, setup=_sales),
        post=Case(ok=SERVER_WRITERS, data={"action": "create", "name": "info", "target": "x@remote.example"}),
    ),
    "Users:domain_forwarder": UrlRow(
        args=SALES, get=Case(ok=CLIENT1_READERS, setup=_sales),
        post=(Case(ok=SERVER_WRITERS, setup=_sales, data={"action": "rename", "new_name": "shop"}),
              Case(ok=SERVER_WRITERS, setup=_sales, data={"action": "remove", "confirm": "on"})),
    ),
}
