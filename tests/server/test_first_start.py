"""The first start: the Main Domain named from the host, postmaster with Master and Basic."""

import pytest

from accounts.models import Account
from domains.models import Domain
from logs.models import AuditEntry
from realms.navigation import interface_level
from server.services import main_domain_name_from_host, server_initialize

pytestmark = pytest.mark.django_db


def test_first_start_creates_main_domain_and_postmaster():
    first = server_initialize(host_name="Host12345hh.Company.COM.", postmaster_password="s3cret-pass")

    main = Domain.objects.get(is_main=True)
    assert main.name == "host12345hh.company.com"
    postmaster = Account.objects.get(domain=main, name="postmaster")
    assert first.postmaster == postmaster
    assert postmaster.rights == ["Master"]
    assert interface_level(postmaster).label == "Basic"
    assert postmaster.check_password("s3cret-pass")
    assert not first.password_generated
    assert AuditEntry.objects.filter(event="server.initialize", object_name=main.name).exists()


def test_first_start_generates_a_password_when_none_is_given():
    first = server_initialize(host_name="mail.example.test")

    assert first.password_generated
    assert len(first.password) >= 12
    assert first.postmaster.check_password(first.password)


def test_first_start_keeps_postmasters_password_recoverable_so_apop_works_and_other_accounts_hash():
    from accounts.hashers import recover_password
    from tests.factories import make_account

    first = server_initialize(host_name="mail.example.test", postmaster_password="s3cret-pass")

    assert first.postmaster.settings["PasswordEncryption"] == "A-crpt"
    assert first.postmaster.password.startswith("A-crpt$")
    assert recover_password(first.postmaster.password) == "s3cret-pass"
    assert recover_password(make_account(None, "user1").password) is None  # the one-way default stays


def test_second_start_changes_nothing():
    server_initialize(host_name="mail.example.test", postmaster_password="first-password")

    assert server_initialize(host_name="other.example.test", postmaster_password="second-password") is None
    assert list(Domain.objects.values_list("name", flat=True)) == ["mail.example.test"]
    assert Account.objects.get(name="postmaster").check_password("first-password")


@pytest.mark.parametrize(
    ("host", "name"),
    [("vm", "vm"), ("my_host.local", "my-host.local"), ("", "localhost"), ("-x-.example.", "x.example")],
)
def test_host_names_become_valid_domain_names(host, name):
    assert main_domain_name_from_host(host) == name


def test_the_default_main_domain_name_is_the_computer_name_the_os_reports():
    import os
    import socket

    from server.osinfo import host_name

    node = os.uname().nodename
    assert host_name() == node or host_name().startswith(f"{node}.")
    assert host_name() != "localhost" or socket.gethostname() == "localhost"
