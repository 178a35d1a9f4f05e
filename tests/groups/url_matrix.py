"""URL matrix rows of a domain's Groups pages (Users realm). Changing them needs CanCreateGroups,
which no Domain Administrator persona holds: only AllDomains and Master may."""

from groups.services import group_create
from tests.realms.matrix import CLIENT1_READERS, SERVER_WRITERS, Case, UrlRow

CLIENT1 = {"domain": "client1.test"}
TEAM = {"domain": "client1.test", "name": "team"}


def _team(personas) -> None:
    group_create(actor=None, domain=personas.client1, name="team", settings={"Members": ["user"]})


MATRIX = {
    "Users:domain_groups": UrlRow(
        args=CLIENT1, get=Case(ok=CLIENT1_READERS, setup=_team),
        post=Case(ok=SERVER_WRITERS, data={"action": "create", "name": "sales", "real_name": "Sales"}),
    ),
    "Users:domain_group": UrlRow(
        args=TEAM, get=Case(ok=CLIENT1_READERS, setup=_team),
        post=(Case(ok=SERVER_WRITERS, setup=_team, data={"action": "update", "real_name": "Team",
                                                         "members": "user\nfar@remote.example"}),
              Case(ok=SERVER_WRITERS, setup=_team, data={"action": "rename", "new_name": "crew"}),
              Case(ok=SERVER_WRITERS, setup=_team, data={"action": "remove", "confirm": "on"})),
    ),
}
