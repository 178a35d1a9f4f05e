"""URL matrix rows of the skins pages (Settings realm, a domain's Skins in the Users realm, skin files).

Skin files live on disk: the matrix gives each test its own base directory, and a case that removes a
file puts it there first (`setup`), so every persona's cell starts from the same files."""

from tests.realms.matrix import (
    CLIENT1_READERS,
    DIRECTORY,
    LOGGED_IN,
    MASTER,
    MONITOR,
    SERVER_WRITERS,
    SETTINGS,
    USER,
    Case,
    Upload,
    UrlRow,
)

CSS = b"body { color: #123456; }\n"
UPLOAD = {"skin": "Matrix", "upload": Upload("admin.css", CSS, "text/css")}
DELETE = {"action": "delete", "skin": "Matrix", "name": "admin.css", "confirm": "on"}


def _server_skin_file(personas) -> None:
    from skins import storage

    storage.store_file(None, "Matrix", "admin.css", CSS)


def _client1_skin_file(personas) -> None:
    from skins import storage

    storage.store_file(personas.client1, "Matrix", "admin.css", CSS)


MATRIX = {
    # No skin named: 400 for those who may read the server's skins, 403 for the others.
    "skin_file": UrlRow(get=Case(codes={**{persona: 400 for persona in LOGGED_IN}, USER: 403, MONITOR: 403,
                                        DIRECTORY: 403}, query={"skin": "", "name": "missing.html"})),
    "Settings:server_skins": UrlRow(
        get=Case(ok={SETTINGS, MASTER}),
        post=(
            Case(ok={SETTINGS, MASTER}, data=UPLOAD),
            Case(ok={SETTINGS, MASTER}, setup=_server_skin_file, data=DELETE),
        ),
    ),
    "Users:domain_skins": UrlRow(
        args={"domain": "client1.test"},
        get=Case(ok=CLIENT1_READERS),
        post=(
            # Uploading and deleting need CanModifySkins (AllDomains, Master): the others get 403.
            Case(ok=SERVER_WRITERS, data=UPLOAD),
            Case(ok=SERVER_WRITERS, setup=_client1_skin_file, data=DELETE),
            # Choosing one's own skin is one's own WebAdmin Preference: everyone who may open the page.
            Case(ok=CLIENT1_READERS, data={"action": "choose", "skin": "Matrix"}),
        ),
    ),
}
