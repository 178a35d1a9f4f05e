"""URL matrix row of the CLI over HTTP (/CLI/): any logged-in account, POST or GET ?command=; the
verbs' own rights are the CLI permission matrix's. It takes Basic credentials on every request, so no CSRF token."""

from tests.realms.matrix import LOGGED_IN, Case, UrlRow

MATRIX = {
    "cli-http": UrlRow(
        get=Case(ok=LOGGED_IN, query={"command": "NOOP"}),
        post=Case(ok=LOGGED_IN, data={"command": "NOOP"}, changes=False),
        csrf=False,
    ),
}
