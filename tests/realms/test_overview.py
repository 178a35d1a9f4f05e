"""The landing page: server administrators see the server at a glance, each figure only from a
realm they may open; Domain Administrators land on their domain."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logs import statistics, stats
from logs.notifications import raise_notification
from tests import factories
from tests.helpers import set_separate_realms

pytestmark = pytest.mark.django_db


def _two_samples_a_day_apart(*, delivered: int, failed: int) -> None:
    statistics.sample(now=timezone.now() - timedelta(hours=23))
    stats.count("mail.delivered", delivered)
    stats.count("mail.rejected", failed)
    stats.count(statistics.login_counter("CLI", failed=True), 3)
    statistics.sample()


def test_a_master_lands_on_the_overview_with_queue_mail_logins_accounts_disk_and_changes(postmaster, as_basic,
                                                                                       client1):
    factories.make_account(client1, "newcomer")
    _two_samples_a_day_apart(delivered=7, failed=2)
    raise_notification("test-disk", "SYSTEM", "the disk is almost full")

    page = as_basic(postmaster).get("/")
    html = page.content.decode()

    assert page.status_code == 200 and "<h1>Overview</h1>" in html
    figures = page.context["figures"]
    assert (figures["delivered"], figures["failed"], figures["failed_logins"]) == (7, 2, 3)
    assert figures["accounts"] >= 2 and figures["domains"] >= 2
    assert "the disk is almost full" in html
    assert "newcomer@client1.test" in html  # the recent changes
    assert "free of" in html


def test_the_overview_counts_no_tables_whatever_their_size(postmaster, as_basic):
    _two_samples_a_day_apart(delivered=1, failed=0)
    client = as_basic(postmaster)
    client.get("/")  # the login caches

    with CaptureQueriesContext(connection) as queries:
        client.get("/")

    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]


def test_a_monitor_sees_the_queue_but_not_the_accounts_and_a_settings_admin_neither(personas, as_basic):
    set_separate_realms(True)
    _two_samples_a_day_apart(delivered=1, failed=0)

    monitor = as_basic(personas.monitor).get("/")
    settings_only = as_basic(personas.settings_admin).get("/")

    assert monitor.status_code == 200
    assert monitor.context["monitors"] and not monitor.context["users"]
    assert "Messages waiting" in monitor.content.decode() and "Domains and Accounts" not in monitor.content.decode()
    assert settings_only.status_code == 200 and "figures" not in settings_only.context
    assert "Recent changes" not in settings_only.content.decode()


def test_a_domain_administrator_lands_on_the_domain_webadmin_and_a_plain_user_is_told_why(personas, as_basic):
    assert as_basic(personas.domain_admin_with_right).get("/")["Location"] == "/Domain/"
    assert as_basic(personas.plain_user).get("/").status_code == 403


def test_a_domain_administrator_of_one_domain_lands_on_that_domain_and_of_several_on_the_list(personas, as_basic):
    one = as_basic(personas.domain_admin_with_right).get("/Domain/")
    several = as_basic(personas.sub_domain_admin).get("/Domain/")  # client1.test and its sub-domain

    assert one["Location"] == "/Domain/Domains/client1.test/Settings"
    assert several["Location"] == "/Domain/Domains"
