"""Matrix rows of the skin verbs: server-wide skins need Settings to change, domain skins CanModifySkins."""

from skins import storage
from tests.cli.matrix import ADMIN, ALL, CLIENT1_READERS, MASTER, OTHER, READER, SERVER_WRITERS, SETTINGS, WEAK, Row

ANY_ADMIN = {READER, ALL, MASTER, SETTINGS, WEAK, ADMIN, OTHER}
CSS = "[Ym9keSB7IGNvbG9yOiBuYXZ5OyB9]"  # "body { color: navy; }"


def _domain_file(personas) -> None:
    storage.store_file(personas.client1, "blue", "admin.css", b"body { color: navy; }")


def _server_file(personas) -> None:
    storage.store_file(None, "blue", "admin.css", b"body { color: navy; }")


MATRIX = {
    "ListServerSkins": Row(ok=ANY_ADMIN),
    "ListDomainSkins": Row("client1.test", ok=CLIENT1_READERS),
    "ListDomainSkinFiles": Row("client1.test SKIN blue", ok=CLIENT1_READERS, setup=_domain_file),
    "ReadDomainSkinFile": Row("client1.test SKIN blue FILE admin.css", ok=CLIENT1_READERS, setup=_domain_file),
    "StoreDomainSkinFile": Row(f"client1.test SKIN blue FILE admin.css DATA {CSS}", ok=SERVER_WRITERS),
    "ListServerSkinFiles": Row("SKIN blue", ok=ANY_ADMIN, setup=_server_file),
    "ReadServerSkinFile": Row("SKIN blue FILE admin.css", ok=ANY_ADMIN, setup=_server_file),
    "StoreServerSkinFile": Row(f"SKIN blue FILE admin.css DATA {CSS}", ok={MASTER, SETTINGS}),
}
