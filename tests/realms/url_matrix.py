"""URL matrix rows of the WebAdmin shell: login, logout, the root, each realm's root, the Master realm."""

from tests.factories import POSTMASTER_PASSWORD
from tests.realms.matrix import DOMAIN_ADMINS, EVERYONE, LOGGED_IN, MASTER, Case, UrlRow

REALM_ROOT = UrlRow(get=Case(ok=EVERYONE))  # the gate decides; past it, the realm's first page

MATRIX = {
    "root": UrlRow(get=Case(ok=DOMAIN_ADMINS | {MASTER})),  # Master pages, or the Domain WebAdmin; else 403
    "login": UrlRow(
        get=Case(ok=EVERYONE),
        post=Case(ok=EVERYONE, data={"name": "postmaster", "password": POSTMASTER_PASSWORD}, changes=False),
    ),
    "logout": UrlRow(get=Case(ok=LOGGED_IN), post=Case(ok=LOGGED_IN, changes=False)),
    "health": UrlRow(get=Case(ok=EVERYONE)),
    "Settings:index": REALM_ROOT,
    "Users:index": REALM_ROOT,
    "Monitors:index": REALM_ROOT,
    "Directory:index": REALM_ROOT,
    "Master:index": REALM_ROOT,
    "Master:rights": UrlRow(
        get=Case(ok={MASTER}),
        post=Case(ok={MASTER}, data={"account": "reader", "rights": ["DomainsRead", "Monitor"]}),
    ),
}

PREFERENCES = UrlRow(  # each administrator's own, in every realm it may open
    get=Case(ok=EVERYONE),
    post=Case(ok=LOGGED_IN, data={"InterfaceType": "Expert", "ObjectsPerPage": "20", "RefreshRate": "60",
                                  "Charset": "utf-8"}),
)
MATRIX.update({f"{realm}:preferences": PREFERENCES
               for realm in ("Settings", "Users", "Monitors", "Directory", "Master")})
