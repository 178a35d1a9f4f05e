"""URL matrix rows of the skins pages (Settings realm, a domain's Skins in the Users realm, skin files)."""

from tests.realms.matrix import (
    CLIENT1_READERS,
    DIRECTORY,
    LOGGED_IN,
    MASTER,
    MONITOR,
    SETTINGS,
    USER,
    Case,
    UrlRow,
)

MATRIX = {
    # No skin named: 400 for those who may read the server's skins, 403 for the others.
    "skin_file": UrlRow(get=Case(codes={**{persona: 400 for persona in LOGGED_IN}, USER: 403, MONITOR: 403,
                                        DIRECTORY: 403}, query={"skin": "", "name": "missing.html"})),
    "Settings:server_skins": UrlRow(
        get=Case(ok={SETTINGS, MASTER}),
        post=Case(ok={SETTINGS, MASTER}, data={"action": "choose", "skin": ""}, changes=False),
    ),
    "Users:domain_skins": UrlRow(
        args={"domain": "client1.test"},
        get=Case(ok=CLIENT1_READERS),
        post=Case(ok=CLIENT1_READERS, data={"action": "choose", "skin": ""}, changes=False),
    ),
}
