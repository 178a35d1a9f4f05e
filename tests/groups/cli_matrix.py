"""Matrix rows of the Groups section's CLI verbs (tests/cli/matrix.py says how rows work).

ADMIN (admin@client1.test) lacks CanCreateGroups: it may read client1.test's groups but not
change them."""

from groups.services import group_create
from tests.cli.matrix import CLIENT1_READERS, SERVER_WRITERS, Row


def _team(personas) -> None:
    group_create(actor=None, domain=personas.client1, name="team", settings={"Members": ["user"]})


MATRIX = {
    "ListGroups": Row("client1.test", ok=CLIENT1_READERS, setup=_team),
    "CreateGroup": Row('sales@client1.test {RealName="Sales"; Members=(user);}', ok=SERVER_WRITERS),
    "GetGroup": Row("team@client1.test", ok=CLIENT1_READERS, setup=_team),
    "SetGroup": Row('team@client1.test {RealName="Team"; Members=();}', ok=SERVER_WRITERS, setup=_team),
    "RenameGroup": Row("team@client1.test INTO crew", ok=SERVER_WRITERS, setup=_team),
    "DeleteGroup": Row("team@client1.test", ok=SERVER_WRITERS, setup=_team),
}
