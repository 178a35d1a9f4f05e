"""Statistics: logins counted by interface, samples every minute, charts over an hour, a day, a week."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from logs import statistics, stats
from logs.charts import line_chart
from logs.models import StatSample
from logs.tasks import sample_statistics
from tests import factories
from tests.helpers import set_separate_realms

pytestmark = pytest.mark.django_db


def test_logins_and_failed_logins_are_counted_by_interface(postmaster):
    browser = Client()
    browser.post("/login/", {"name": "postmaster", "password": "wrong"})
    browser.post("/login/", {"name": "nobody", "password": "wrong"})
    browser.post("/login/", {"name": "postmaster", "password": factories.POSTMASTER_PASSWORD})

    assert stats.value("login.failed.WebAdmin") == 2
    assert stats.value("login.WebAdmin") == 1
    assert stats.value("login.CLI") == 0


def test_a_sample_reads_every_counter_and_gauge_and_old_ones_go(postmaster, client1):
    factories.make_account(client1, "jane")
    stats.count("mail.delivered", 3)
    old = StatSample.objects.create(time=timezone.now() - timedelta(days=9), values={})

    sample_statistics.apply()

    row = StatSample.objects.get()
    assert row.values["mail.delivered"] == 3 and row.values["domains"] == 2 and row.values["accounts"] == 2
    assert row.values["queue.messages"] == 0 and "login.failed.CLI" in row.values
    assert not StatSample.objects.filter(pk=old.pk).exists()


def test_counters_chart_their_growth_and_gauges_their_value(db):
    now = timezone.now().replace(second=30, microsecond=0)
    readings = [(10, 5, 2), (9, 7, 3), (8, 12, 3), (7, 3, 4), (5, 4, 4)]  # minutes ago, delivered, domains
    for minutes, delivered, domains in readings:
        StatSample.objects.create(time=now - timedelta(minutes=minutes),
                                  values={"mail.delivered": delivered, "domains": domains})

    data = statistics.series(statistics.PERIODS["hour"], ["mail.delivered", "domains"], now=now)

    delivered, domains = data.values["mail.delivered"], data.values["domains"]
    assert len(delivered) == 60
    assert delivered[-11:-4] == [None, 0, 2, 5, 3, None, 1]  # emptied cache: counted anew from 0
    assert domains[-11:-4] == [None, 2, 3, 3, 4, None, 4]


def test_the_statistics_page_draws_svg_charts_and_refreshes(personas, as_basic, django_assert_num_queries):
    set_separate_realms(True)
    client = as_basic(personas.monitor)
    now = timezone.now()
    for minutes in range(30):
        StatSample.objects.create(time=now - timedelta(minutes=minutes), values={"login.WebAdmin": 60 - minutes})

    for period in ("hour", "day", "week"):
        page = client.get("/Monitors/Statistics", {"period": period})
        assert page.status_code == 200, period
        html = page.content.decode()
        assert html.count("<svg") == len(statistics.CHARTS) and "<polyline" in html
        scripts = re.findall(r"<script[^>]*>", html)
        assert all('src="/static/cgadmin/' in tag for tag in scripts)  # our own files only, none inline
        assert "/static/cgadmin/refresh.js" in html and not any("chart" in tag for tag in scripts)
        assert 'data-refresh="30"' in html
    with django_assert_num_queries(PAGE_QUERIES):
        client.get("/Monitors/Statistics", {"period": "week"})

    assert client.get("/Monitors/Statistics", {"period": "year"}).status_code == 404
    assert as_basic(personas.settings_admin).get("/Monitors/Statistics").status_code == 403


PAGE_QUERIES = 5  # the login (Basic, cached) and page frame (3), the samples of the period, the last sample


def test_the_page_refreshes_at_the_administrators_own_period(postmaster, as_basic):
    from accounts.services import account_update_webadmin_prefs

    account_update_webadmin_prefs(actor=postmaster, account=postmaster, updates={"RefreshRate": "2m"})

    html = as_basic(postmaster).get("/Master/Monitors/Statistics").content.decode()

    assert '<meta http-equiv="refresh" content="120">' in html
    assert '<meta http-equiv="refresh"' not in as_basic(postmaster).get("/Master/Monitors/Logs").content.decode()


def test_a_chart_has_gridlines_its_unit_and_each_value_on_hover():
    start = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    svg = line_chart("Messages", start, timedelta(minutes=1), [("Delivered", [3, None, 17, 40])],
                     unit="messages per interval")

    assert svg.count("<circle") == 3  # a dot per known value, none for the gap
    assert "<title>Delivered, 10:02: 17 messages per interval</title>" in svg
    assert ">messages per interval</text>" in svg
    gridline_values = re.findall(r'text-anchor="end" font-size="11" fill="currentColor">([\d,.]+)</text>', svg)
    assert gridline_values[:5] == ["0", "10", "20", "30", "40"]
