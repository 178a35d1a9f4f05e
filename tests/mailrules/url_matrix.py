"""URL matrix rows of the Rules pages: an account's and a domain's (Users realm), the server's (Settings realm)."""

from tests.realms.matrix import CLIENT1_READERS, MASTER, SERVER_WRITERS, SETTINGS, Case, UrlRow

USER = {"domain": "client1.test", "account": "user"}
CLIENT1 = {"domain": "client1.test"}
# A rule from the editor's rows: Subject is *[SPAM]* -> Store in Junk.
RULE = {"rule-0-name": "Junk", "rule-0-priority": "5", "rule-0-cond-0-field": "Subject", "rule-0-cond-0-op": "is",
        "rule-0-cond-0-param": "*[SPAM]*", "rule-0-act-0-name": "Store in", "rule-0-act-0-param": "Junk"}

MATRIX = {
    # Changing rules needs RulesAllowed, which no Domain Administrator persona holds.
    "Users:account_rules": UrlRow(args=USER, get=Case(ok=CLIENT1_READERS), post=Case(ok=SERVER_WRITERS, data=RULE)),
    "Users:domain_rules": UrlRow(args=CLIENT1, get=Case(ok=CLIENT1_READERS), post=Case(ok=SERVER_WRITERS, data=RULE)),
    "Settings:server_rules": UrlRow(get=Case(ok={SETTINGS, MASTER}), post=Case(ok={SETTINGS, MASTER}, data=RULE)),
}
