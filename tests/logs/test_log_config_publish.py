"""The log levels every process reads are published once the change commits: never before (another
process would log by a level not yet stored), never for a change rolled back, once per transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from logs import serverlog
from logs.services import log_settings_update
from server.services import server_settings_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch) -> list[dict[str, int]]:
    calls: list[dict[str, int]] = []
    monkeypatch.setattr(serverlog, "publish_config", lambda levels, max_size: calls.append(levels))
    return calls


def test_the_levels_are_published_once_after_the_commit(postmaster, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        log_settings_update(actor=None, updates={"Levels": {"HTTPA": 3, "SYSTEM": 4}})  # Log and Main
        log_settings_update(actor=None, updates={"Levels": {"SMTP": 1}})
        assert published == []  # not before the commit

    assert len(published) == 1
    assert (published[0]["HTTPA"], published[0]["SMTP"], published[0]["SYSTEM"]) == (3, 1, 4)


def test_a_rolled_back_change_publishes_nothing(postmaster, published, django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        log_settings_update(actor=None, updates={"Levels": {"HTTPA": 3}})
        raise RuntimeError

    assert published == []


def test_the_general_pages_log_level_is_published_after_the_commit(postmaster, published,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        server_settings_update(actor=None, updates={"LogLevel": 5})
        assert published == []

    assert [levels["SYSTEM"] for levels in published] == [5]
