"""URL matrix rows of the queue's Monitors pages. With no queue in the fixtures, a queue page answers
404; a Release posted anyway redirects back (the refusal is a message on the page) — refine these
rows with a queued message in `setup` to tell MONITOR's refusal from MASTER's release."""

from tests.realms.matrix import MASTER, MONITOR, Case, UrlRow

MONITORS = {MONITOR, MASTER}

MATRIX = {
    "Monitors:queues": UrlRow(get=Case(ok=MONITORS)),
    "Monitors:queue": UrlRow(
        args={"module": "SMTP", "name": "nowhere.example"},
        get=Case(codes={MONITOR: 404, MASTER: 404}),
        post=Case(ok=MONITORS, data={"action": "release"}, changes=False),
    ),
}
