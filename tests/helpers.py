"""Small helpers the tests share."""

import re

from accounts.models import Account
from server.services import server_settings_update

_BODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)


def set_separate_realms(enabled: bool) -> None:
    server_settings_update(actor=None, updates={"SeparateAdminRealms": "YES" if enabled else "NO"})


def set_objects_per_page(account: Account, realm: str, count: int) -> None:
    """The administrator's WebAdmin Preference "objects per page" for one realm, as its Preferences page sets it."""
    from accounts.services import account_update_webadmin_prefs

    account_update_webadmin_prefs(actor=account, account=account, updates={"ObjectsPerPage": str(count)}, realm=realm)
    account.refresh_from_db()


def table_rows(html: str, table: int = 0) -> list[str]:
    """The rows of a page's table body (the first table unless told), each row's HTML."""
    body = _BODY.findall(html)[table]
    return re.findall(r"<tr[ >].*?</tr>", body, re.S)
