"""URL matrix rows of the Settings realm pages of the server app."""

from tests.realms.matrix import MASTER, SETTINGS, Case, UrlRow, form

MATRIX = {
    "Settings:general": UrlRow(
        get=Case(ok={SETTINGS, MASTER}),
        post=Case(ok={SETTINGS, MASTER}, data=form("update", s_ContactPerson="Jane Admin")),
    ),
    "Settings:strings": UrlRow(
        get=Case(ok={SETTINGS, MASTER}),
        post=Case(ok={SETTINGS, MASTER},
                  data=form(None, **{"mode-SubjectFailed": "custom", "text-SubjectFailed": "Returned mail"})),
    ),
}
