"""Matrix rows of the Forwarders section's CLI verbs (tests/cli/matrix.py says how rows work).

ADMIN (admin@client1.test) lacks CanCreateForwarders: it may read client1.test's forwarders but
not change them."""

from forwarders.services import forwarder_create
from tests.cli.matrix import CLIENT1_READERS, SERVER_WRITERS, Row


def _sales(personas) -> None:
    forwarder_create(actor=None, domain=personas.client1, name="sales", target="boss@remote.example")


MATRIX = {
    "CreateForwarder": Row("info@client1.test TO boss@remote.example", ok=SERVER_WRITERS),
    "DeleteForwarder": Row("sales@client1.test", ok=SERVER_WRITERS, setup=_sales),
    "RenameForwarder": Row("sales@client1.test INTO shop", ok=SERVER_WRITERS, setup=_sales),
    "ListForwarders": Row("client1.test", ok=CLIENT1_READERS, setup=_sales),
    "GetForwarder": Row("sales@client1.test", ok=CLIENT1_READERS, setup=_sales),
    "FindForwarders": Row("client1.test TO boss@remote.example", ok=CLIENT1_READERS, setup=_sales),
}
