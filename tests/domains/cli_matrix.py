"""Matrix rows of the Domains section's CLI verbs (tests/cli/matrix.py says how rows work)."""

from tests.cli.matrix import (
    CLIENT1_READERS,
    CLIENT1_WRITERS,
    LOGGED_IN,
    SERVER_READERS,
    SERVER_WRITERS,
    Row,
)

MATRIX = {
    "ListDomains": Row(ok=LOGGED_IN),
    "MainDomainName": Row(ok=LOGGED_IN),
    "CreateDomain": Row("new.test {MailToUnknown=Discarded;}", ok=SERVER_WRITERS),
    "RenameDomain": Row("client1.test INTO renamed.test", ok=SERVER_WRITERS),
    "DeleteDomain": Row("client1.test FORCE", ok=SERVER_WRITERS),
    "SuspendDomain": Row("client1.test", ok=SERVER_WRITERS),
    "ResumeDomain": Row("client1.test", ok=SERVER_WRITERS),
    "GetDomainSettings": Row("client1.test", ok=CLIENT1_READERS),
    "GetDomainEffectiveSettings": Row("client1.test", ok=CLIENT1_READERS),
    "UpdateDomainSettings": Row("client1.test {MailToUnknown=Discarded;}", ok=CLIENT1_WRITERS),
    "SetDomainSettings": Row("client1.test {MailToUnknown=Discarded;}", ok=CLIENT1_WRITERS),
    "GetDomainAliases": Row("client1.test", ok=CLIENT1_READERS),
    "SetDomainAliases": Row("client1.test (alias1.test)", ok=SERVER_WRITERS),
    "GetDomainDefaults": Row(ok=SERVER_READERS),
    "UpdateDomainDefaults": Row("{MailToUnknown=Discarded;}", ok=SERVER_WRITERS),
    "SetDomainDefaults": Row("{MailToUnknown=Discarded;}", ok=SERVER_WRITERS),
    "ListAdminDomains": Row(ok=LOGGED_IN),
    "ListDomainObjects": Row("client1.test 10", ok=CLIENT1_READERS),
}
