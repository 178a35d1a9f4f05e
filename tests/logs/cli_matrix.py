"""Matrix rows of the logs app's CLI verbs: the Log Manager and the posted alerts."""

from logs.models import Alert
from tests.cli.matrix import (
    ALL,
    CLIENT1_READERS,
    MASTER,
    MONITOR,
    READER,
    SERVER_WRITERS,
    SETTINGS,
    USER,
    Row,
)

SERVER_ADMINS = {READER, ALL, MASTER, SETTINGS, MONITOR}
STAMP = "20261128T120000Z"
ACCOUNT = "user@client1.test"


def _server_alert(personas) -> None:
    Alert.objects.create(scope=Alert.SERVER, stamp=STAMP, text="disk almost full")


def _domain_alert(personas) -> None:
    Alert.objects.create(scope=Alert.DOMAIN, domain=personas.client1, stamp=STAMP, text="maintenance")


def _account_alert(personas) -> None:
    account = personas.plain_user
    Alert.objects.create(scope=Alert.ACCOUNT, domain=account.domain, account=account, stamp=STAMP, text="quota")


MATRIX = {
    "GetLogSettings": Row(ok={MASTER, MONITOR}),
    "UpdateLogSettings": Row("{KeepDays=10;}", ok={MASTER}),
    "WriteLog": Row('3 "hello from a script"', ok=SERVER_ADMINS),
    "SetLogAll": Row("OFF", ok={MASTER}),
    "GetServerAlerts": Row(ok={MONITOR, READER, ALL, MASTER}),
    "SetServerAlerts": Row(f'{{{STAMP}="restart at noon";}}', ok=SERVER_WRITERS),
    "PostServerAlert": Row('"restart at noon"', ok=SERVER_WRITERS),
    "RemoveServerAlert": Row(STAMP, ok=SERVER_WRITERS, setup=_server_alert),
    "GetDomainAlerts": Row("client1.test", ok=CLIENT1_READERS),
    "SetDomainAlerts": Row(f'client1.test {{{STAMP}="maintenance";}}', ok=SERVER_WRITERS),
    "PostDomainAlert": Row('client1.test ALERT "maintenance tonight"', ok=SERVER_WRITERS),
    "RemoveDomainAlert": Row(f"client1.test ALERT {STAMP}", ok=SERVER_WRITERS, setup=_domain_alert),
    "GetAccountAlerts": Row(ACCOUNT, ok=CLIENT1_READERS | {USER}),
    "SetAccountAlerts": Row(f'{ACCOUNT} {{{STAMP}="quota";}}', ok=SERVER_WRITERS),
    "PostAccountAlert": Row(f'{ACCOUNT} ALERT "your quota is almost used"', ok=SERVER_WRITERS),
    "RemoveAccountAlert": Row(f"{ACCOUNT} ALERT {STAMP}", ok=SERVER_WRITERS, setup=_account_alert),
}
