"""Matrix rows of the Server section's CLI verbs (tests/cli/matrix.py says how rows work)."""

from tests.cli.matrix import LOGGED_IN, MASTER, SETTINGS, Row

SETTINGS_ADMINS = {SETTINGS, MASTER}

MATRIX = {
    "GetServerSettings": Row(ok=SETTINGS_ADMINS),
    "UpdateServerSettings": Row('{ContactPerson="ops@example.test";}', ok=SETTINGS_ADMINS),
    "GetVersion": Row(ok=LOGGED_IN),
    "GetSystemInfo": Row("Version", ok=SETTINGS_ADMINS),
    "GetCurrentTime": Row(ok=LOGGED_IN),
    "RefreshOSData": Row(ok=SETTINGS_ADMINS),
    "SHUTDOWN": Row(ok={MASTER}),
    "GetServerStrings": Row(ok=SETTINGS_ADMINS),
    "SetServerStrings": Row('{PWDByeBye="bye now";}', ok=SETTINGS_ADMINS),
}
