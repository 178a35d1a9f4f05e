"""Small helpers the tests share."""

from server.services import server_settings_update


def set_separate_realms(enabled: bool) -> None:
    server_settings_update(actor=None, updates={"SeparateAdminRealms": "YES" if enabled else "NO"})
