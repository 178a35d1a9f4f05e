"""Matrix rows of the Accounts section's CLI verbs (tests/cli/matrix.py says how rows work).

`user@client1.test` is the plain user persona; ADMIN (admin@client1.test) holds CanCreateAccounts,
CanCreateAliases, MailToUnknown and BasicSettings (RealName, passwords), but not WebUserSettings,
CanCreateWebUserSessions or CanAccessMailboxes."""

from accounts.selectors import find_account
from accounts.services import mailbox_create
from tests.cli.matrix import (
    CLIENT1_READERS,
    CLIENT1_WRITERS,
    LOGGED_IN,
    SERVER_READERS,
    SERVER_WRITERS,
    USER,
    Row,
)

USER_ACCOUNT = "user@client1.test"
SELF_OR_READERS = CLIENT1_READERS | {USER}
SELF_OR_SERVER_WRITERS = SERVER_WRITERS | {USER}


def _with_old_mailbox(personas) -> None:
    mailbox_create(actor=None, account=find_account("client1.test", "user"), name="Old")


MATRIX = {
    "ListAccounts": Row("client1.test", ok=CLIENT1_READERS),
    "CreateAccount": Row("new@client1.test MultiMailbox {RealName=\"New One\";}", ok=CLIENT1_WRITERS),
    "RenameAccount": Row(f"{USER_ACCOUNT} INTO renamed", ok=CLIENT1_WRITERS),
    "DeleteAccount": Row(USER_ACCOUNT, ok=CLIENT1_WRITERS),
    "SetAccountType": Row(f"{USER_ACCOUNT} AGrade", ok=CLIENT1_WRITERS),
    "GetAccountSettings": Row(USER_ACCOUNT, ok=SELF_OR_READERS),
    "GetAccountEffectiveSettings": Row(USER_ACCOUNT, ok=SELF_OR_READERS),
    "GetAccountOneSetting": Row(f"{USER_ACCOUNT} MaxAccountSize", ok=SELF_OR_READERS),
    "UpdateAccountSettings": Row(f'{USER_ACCOUNT} {{RealName="Jane Roe";}}', ok=CLIENT1_WRITERS),
    "SetAccountSettings": Row(f'{USER_ACCOUNT} {{RealName="Jane Roe";}}', ok=CLIENT1_WRITERS),
    "SetAccountPassword": Row(f'{USER_ACCOUNT} PASSWORD "new-secret-1"', ok=CLIENT1_WRITERS | {USER}),
    "VerifyAccountPassword": Row(f'{USER_ACCOUNT} PASSWORD "correct horse"', ok=CLIENT1_WRITERS),
    "GetAccountAliases": Row(USER_ACCOUNT, ok=SELF_OR_READERS),
    "SetAccountAliases": Row(f"{USER_ACCOUNT} (jane, roe)", ok=CLIENT1_WRITERS),
    "GetAccountRights": Row(USER_ACCOUNT, ok=SELF_OR_READERS),
    "SetAccountRights": Row(f"{USER_ACCOUNT} (Domain, CanCreateAccounts)", ok=SERVER_WRITERS),
    "GetAccountInfo": Row(f"{USER_ACCOUNT} Key StorageUsed", ok=SELF_OR_READERS),
    "GetAccountPrefs": Row(USER_ACCOUNT, ok=SELF_OR_READERS),
    "GetAccountEffectivePrefs": Row(USER_ACCOUNT, ok=SELF_OR_READERS),
    "UpdateAccountPrefs": Row(f"{USER_ACCOUNT} {{Language=German;}}", ok=SELF_OR_SERVER_WRITERS),
    "SetAccountPrefs": Row(f"{USER_ACCOUNT} {{Language=German;}}", ok=SELF_OR_SERVER_WRITERS),
    "GetAccountDefaults": Row("client1.test", ok=CLIENT1_READERS),
    "UpdateAccountDefaults": Row('client1.test {RealName="Someone";}', ok=CLIENT1_WRITERS),
    "SetAccountDefaults": Row("client1.test {MaxAccountSize=10M;}", ok=SERVER_WRITERS),
    "GetServerAccountDefaults": Row(ok=SERVER_READERS),
    "UpdateServerAccountDefaults": Row("{MaxAccountSize=10M;}", ok=SERVER_WRITERS),
    "SetServerAccountDefaults": Row("{MaxAccountSize=10M;}", ok=SERVER_WRITERS),
    "GetAccountTemplate": Row("client1.test", ok=CLIENT1_READERS),
    "UpdateAccountTemplate": Row('client1.test {RealName="Someone";}', ok=CLIENT1_WRITERS),
    "SetAccountTemplate": Row("client1.test {MaxAccountSize=10M;}", ok=SERVER_WRITERS),
    "GetAccountDefaultPrefs": Row("client1.test", ok=CLIENT1_READERS),
    "UpdateAccountDefaultPrefs": Row("client1.test {Language=German;}", ok=SERVER_WRITERS),
    "SetAccountDefaultPrefs": Row("client1.test {Language=German;}", ok=SERVER_WRITERS),
    "GetServerAccountPrefs": Row(ok=SERVER_READERS),
    "UpdateServerAccountPrefs": Row("{Language=German;}", ok=SERVER_WRITERS),
    "SetServerAccountPrefs": Row("{Language=German;}", ok=SERVER_WRITERS),
    "KillAccountSessions": Row(USER_ACCOUNT, ok=SERVER_WRITERS),
    "GetAccountLocation": Row(USER_ACCOUNT, ok=SELF_OR_READERS),
    "ListMailboxes": Row(USER_ACCOUNT, ok=SELF_OR_SERVER_WRITERS),
    "CreateMailbox": Row(f"{USER_ACCOUNT} MAILBOX Projects", ok=SELF_OR_SERVER_WRITERS),
    "RenameMailbox": Row(f"{USER_ACCOUNT} MAILBOX Old INTO New", ok=SELF_OR_SERVER_WRITERS, setup=_with_old_mailbox),
    "DeleteMailbox": Row(f"{USER_ACCOUNT} MAILBOX Old", ok=SELF_OR_SERVER_WRITERS, setup=_with_old_mailbox),
    "NEWPASS": Row("new-secret-9", ok=LOGGED_IN),
}
