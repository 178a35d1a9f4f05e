"""URL matrix rows of the logs app: the Monitors realm's log and audit pages, the Users realm's Audit."""

from tests.realms.matrix import EVERYONE, IGNORED, MASTER, MONITOR, Case, UrlRow

MONITORS = {MONITOR, MASTER}

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
        # Posting a server alert needs AllDomains: MONITOR's post is refused with a message, nothing changes.
        post=Case(ok={MASTER}, codes={MONITOR: IGNORED}, data={"text": "Disk check at noon"}),
    ),
}
