"""URL matrix rows of the Settings realm pages of the server app."""

from tests.realms.matrix import MASTER, SETTINGS, Case, UrlRow, form

MATRIX = {
    "Settings:general": UrlRow(
        get=Case(ok={SETTINGS, MASTER}),
        post=Case(ok={SETTINGS, MASTER}, data=form("update", s_ContactPerson="Jane Admin")),
    ),
}
