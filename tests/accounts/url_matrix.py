"""URL matrix rows of the Users realm's account pages (user@client1.test unless a case says otherwise)."""

from tests.realms.matrix import (
    ADMIN,
    CLIENT1_READERS,
    CLIENT1_WRITERS,
    SERVER_WRITERS,
    SUB,
    Case,
    UrlRow,
    form,
)

USER = {"domain": "client1.test", "account": "user"}
MISSING = {"domain": "client1.test", "account": "nobody"}
UNKNOWN_ACCOUNT = {persona: 404 for persona in CLIENT1_READERS}


def reads() -> tuple[Case, ...]:
    return (Case(ok=CLIENT1_READERS), Case(args=MISSING, codes=UNKNOWN_ACCOUNT))


MATRIX = {
    "Users:account": UrlRow(
        args=USER,
        get=reads(),
        post=(
            # BasicSettings: READER reads only, WEAK and SUB lack the right: a doctored form gets 403.
            Case(ok=CLIENT1_WRITERS, data=form("update", s_RealName="Jane Doe")),
            Case(ok=CLIENT1_WRITERS, data={"action": "password", "password": "new secret", "confirm": "new secret"}),
            Case(ok=SERVER_WRITERS | {ADMIN}, data={"action": "aliases", "aliases": "jane"}),  # CanCreateAliases
            Case(ok=SERVER_WRITERS | {ADMIN, SUB}, data={"action": "rename", "new_name": "jane"}),  # CanCreateAccounts
            Case(ok=SERVER_WRITERS | {ADMIN, SUB}, data={"action": "remove", "confirm": "on"}),
        ),
    ),
    "Users:account_prefs": UrlRow(
        args=USER, get=reads(),
        post=Case(ok=SERVER_WRITERS, data=form(None, s_Language="German")),  # WebUserSettings: no persona has it
    ),
    "Users:account_rights": UrlRow(
        args=USER, get=reads(),
        post=Case(ok=SERVER_WRITERS, data={"administrator": "on", "rights": ["CanCreateAccounts"]}),
    ),
}
