"""URL matrix rows of the logs app: the Monitors realm's log and audit pages, the Users realm's Audit."""

from tests.realms.matrix import CLIENT1_READERS, EVERYONE, MASTER, MONITOR, SERVER_WRITERS, Case, UrlRow

MONITORS = {MONITOR, MASTER}
STAMP = "20261128T221344Z"


def _an_alert() -> None:
    from logs.models import Alert

    Alert.objects.create(scope=Alert.SERVER, stamp=STAMP, text="Backup tonight")


MATRIX = {
    "Monitors:logs": UrlRow(get=Case(ok=MONITORS)),
    "Monitors:log_file": UrlRow(args={"name": "missing.log"}, get=Case(codes={MONITOR: 404, MASTER: 404})),
    "Monitors:log_settings": UrlRow(
        get=Case(ok=MONITORS),
        post=Case(ok={MASTER}, data={"level_CLI": "5", "KeepDays": "3"}),  # MONITOR lacks CanTuneLoggerSettings
    ),
    "Monitors:audit": UrlRow(get=Case(ok=MONITORS)),
    "Users:domain_audit": UrlRow(get=Case(ok=EVERYONE)),  # Domain Administrators see their domains' entries
    "Monitors:statistics": UrlRow(get=Case(ok=MONITORS)),
    "Monitors:notifications": UrlRow(
        get=Case(ok=MONITORS),
        # Posting and removing a server alert need AllDomains: MONITOR is refused (403), nothing changes.
        post=(Case(ok={MASTER}, data={"text": "Disk check at noon"}),
              Case(ok={MASTER}, setup=lambda personas: _an_alert(),
                   data={"action": "remove", "stamp": STAMP, "confirm": "on"})),
    ),
    # A domain's and an account's alerts: read by their readers; posted by AllDomains (no persona
    # holds CanPostAlerts, so the Domain Administrators are refused).
    "Users:domain_alerts": UrlRow(
        args={"domain": "client1.test"}, get=Case(ok=CLIENT1_READERS),
        post=Case(ok=SERVER_WRITERS, data={"text": "Maintenance at noon"}),
    ),
    "Users:account_alerts": UrlRow(
        args={"domain": "client1.test", "account": "user"}, get=Case(ok=CLIENT1_READERS),
        post=Case(ok=SERVER_WRITERS, data={"text": "Your quota was raised"}),
    ),
}
