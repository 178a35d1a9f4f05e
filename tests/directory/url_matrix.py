"""URL matrix rows of the Directory realm and the directory search API."""

from tests.realms.matrix import DIRECTORY, EVERYONE, MASTER, Case, UrlRow

DIRECTORY_ADMINS = {DIRECTORY, MASTER}

MATRIX = {
    "directory-search": UrlRow(get=Case(ok=EVERYONE, query={"q": "a"})),  # the Directory Access Rights filter rows
    "Directory:units": UrlRow(get=Case(ok=DIRECTORY_ADMINS)),
    "Directory:browse": UrlRow(
        get=Case(ok=DIRECTORY_ADMINS),
        post=Case(ok=DIRECTORY_ADMINS, query={"unit": "_local"}, data={"action": "add", "name": "front desk"}),
    ),
    "Directory:access": UrlRow(
        get=Case(ok=DIRECTORY_ADMINS),
        post=Case(ok=DIRECTORY_ADMINS, data={"action": "public_info", "public_info": "title\nroom\n"}),
    ),
}
