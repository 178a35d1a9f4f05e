"""Matrix rows of the Automated Rules verbs, RemoveAccountSubset, GetAccountPlainPassword and the
statistics verbs (tests/cli/matrix.py says how rows work)."""

from tests.cli.matrix import ADMIN, CLIENT1_READERS, MASTER, SERVER_WRITERS, SETTINGS, USER, Row

RULE = '(5, "Junk", ((Subject, is, "*[SPAM]*")), (("Store in", Junk), ("Stop Processing")))'
RULES = f"({RULE})"
OWN_READERS = CLIENT1_READERS | {USER}
OWN_RULE_WRITERS = SERVER_WRITERS | {USER}
SERVER_SETTINGS = {MASTER, SETTINGS}

MATRIX = {
    "GetAccountMailRules": Row("user@client1.test", ok=OWN_READERS),
    "SetAccountMailRules": Row(f"user@client1.test {RULES}", ok=OWN_RULE_WRITERS),
    "UpdateAccountMailRule": Row(f"user@client1.test {RULE}", ok=OWN_RULE_WRITERS),
    "GetAccountSignalRules": Row("user@client1.test", ok=OWN_READERS),
    "SetAccountSignalRules": Row('user@client1.test ((5, "Calls", (), (("Reject"))))', ok=OWN_RULE_WRITERS),
    "UpdateAccountSignalRule": Row("user@client1.test DELETE Calls", ok=OWN_RULE_WRITERS),
    "RemoveAccountSubset": Row("user@client1.test SUBSET RepliedAddresses", ok=SERVER_WRITERS | {USER, ADMIN}),
    "GetAccountPlainPassword": Row("user@client1.test", ok=SERVER_WRITERS | {ADMIN}),
    "GetAccountStat": Row("user@client1.test", ok=OWN_READERS),
    "GetDomainMailRules": Row("client1.test", ok=CLIENT1_READERS),
    "SetDomainMailRules": Row(f"client1.test {RULES}", ok=SERVER_WRITERS),
    "GetDomainSignalRules": Row("client1.test", ok=CLIENT1_READERS),
    "SetDomainSignalRules": Row("client1.test ()", ok=SERVER_WRITERS),
    "GetDomainStat": Row("client1.test KEY MessagesReceived", ok=CLIENT1_READERS),
    "GetServerMailRules": Row(ok=SERVER_SETTINGS),
    "SetServerMailRules": Row(f"{RULES}", ok=SERVER_SETTINGS),
    "GetServerRules": Row(ok=SERVER_SETTINGS),
    "SetServerRules": Row("()", ok=SERVER_SETTINGS),
    "GetServerSignalRules": Row(ok=SERVER_SETTINGS),
    "SetServerSignalRules": Row("()", ok=SERVER_SETTINGS),
}
