"""Urgent Notifications: raised by components, shown on every page of the server administrators,
one at random, ending by themselves when the condition is gone; posted server alerts among them."""

from __future__ import annotations

import random
import socket
import time

import pytest
from django.core.cache import cache

from cli.dispatch import execute
from logs import notifications, serverlog
from logs.models import Alert
from logs.tasks import health_check
from server.options import ServerOptions
from server.process import Component, check_listener
from tests.helpers import set_separate_realms

pytestmark = pytest.mark.django_db
GENERAL = "/Master/Settings/General"


def test_every_page_of_a_server_administrator_shows_a_raised_notification(personas, as_basic):
    notifications.raise_notification("test", "EXPORT", "cannot write Domains/client1.test")

    assert "cannot write Domains/client1.test" in as_basic(personas.postmaster).get(GENERAL).content.decode()
    set_separate_realms(True)
    assert "cannot write Domains" in as_basic(personas.monitor).get("/Monitors/Logs").content.decode()
    domain_page = as_basic(personas.domain_admin_with_right).get("/Domain/Domains")
    assert "cannot write Domains" not in domain_page.content.decode()  # for Server Administrators

    notifications.clear_notification("test")
    assert 'role="alert"' not in as_basic(personas.monitor).get("/Monitors/Logs").content.decode()


def test_one_of_several_is_chosen_at_random(db):
    notifications.raise_notification("a", "SYSTEM", "first")
    notifications.raise_notification("b", "SYSTEM", "second")
    random.seed(8)

    shown = {notifications.pick_notification()["text"] for _ in range(40)}

    assert shown == {"first", "second"}


def test_a_lapsed_notification_is_gone_and_forgotten(db):
    notifications.raise_notification("brief", "SYSTEM", "brief trouble", ttl=1)
    notifications.raise_notification("lasting", "SYSTEM", "lasting trouble")
    cache.delete("cg:alert:brief")  # what the cache does when the ttl passes

    assert [item["text"] for item in notifications.active_notifications()] == ["lasting trouble"]
    assert cache.get(notifications.INDEX_KEY) == ["lasting"]


def test_an_almost_full_disk_is_raised_and_ends_when_space_is_back(tmp_path, db):
    assert notifications.check_disk(tmp_path, min_free_fraction=1.0) is True
    assert "almost full" in notifications.active_notifications()[0]["text"]

    assert notifications.check_disk(tmp_path, min_free_fraction=0.0, min_free_bytes=0) is False
    assert notifications.active_notifications() == []


def test_a_stopped_worker_is_noticed_and_the_notice_ends_when_it_runs_again(db):
    assert notifications.worker_notification() is None  # no heartbeat seen yet: nothing to say
    cache.set(notifications.HEARTBEAT_KEY, time.time() - 600, None)

    assert "no worker has run the periodic tasks" in notifications.worker_notification()["text"]

    health_check.apply()  # the worker's minute task is its heartbeat
    assert notifications.worker_notification() is None


def test_a_listener_whose_port_is_taken_raises_a_notification_until_it_starts(db):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    web = Component("web", lambda options: [], lambda options: port)
    said: list[str] = []
    options = ServerOptions(listen_address="127.0.0.1")

    assert check_listener(web, options, said.append) is False
    text = notifications.active_notifications()[0]["text"]
    assert text == (f"A problem with web, TCP listener on [127.0.0.1]:{port}: failed to start. "
                    f"Error Code=network address/port is already in use")
    assert said == [text]

    taken.close()
    assert check_listener(web, options, said.append) is True
    assert notifications.active_notifications() == []


def test_a_server_log_that_cannot_be_written_raises_a_notification(base_dir):
    (base_dir / "SystemLogs").write_text("a file where the folder should be")

    serverlog.log("SYSTEM", 1, "lost record")

    assert "cannot write the Server Log" in notifications.active_notifications()[0]["text"]


def test_a_posted_server_alert_shows_until_removed(postmaster, as_basic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        execute('PostServerAlert "restart at noon"', actor=postmaster)
    assert "restart at noon" in as_basic(postmaster).get(GENERAL).content.decode()

    stamp = Alert.objects.get().stamp
    with django_capture_on_commit_callbacks(execute=True):
        execute(f"RemoveServerAlert {stamp}", actor=postmaster)
    assert "restart at noon" not in as_basic(postmaster).get(GENERAL).content.decode()


def test_the_notifications_page_lists_them_and_posts_with_all_domains(personas, as_basic,
                                                                      django_capture_on_commit_callbacks):
    set_separate_realms(True)
    notifications.raise_notification("disk", "SYSTEM", "the disk is almost full")
    master = as_basic(personas.postmaster)

    with django_capture_on_commit_callbacks(execute=True):
        posted = master.post("/Monitors/Notifications", {"action": "post", "text": "new disks tonight"})
    assert posted.status_code == 302
    page = as_basic(personas.monitor).get("/Monitors/Notifications").content.decode()
    assert "the disk is almost full" in page and "new disks tonight" in page
    assert 'name="text"' not in page  # Monitor alone reads

    as_basic(personas.monitor).post("/Monitors/Notifications", {"action": "post", "text": "from monitor"})
    assert list(Alert.objects.values_list("text", flat=True)) == ["new disks tonight"]
    assert as_basic(personas.settings_admin).get("/Monitors/Notifications").status_code == 403
