import pytest

from accounts.services import account_set_rights
from lists.services import list_create
from tests import factories


@pytest.fixture
def list_admin(personas):
    """admin@client1.test with the two list rights besides its own."""
    admin = personas.domain_admin_with_right
    account_set_rights(actor=None, account=admin, rights=[*admin.rights, "CanCreateLists", "CanAccessLists"])
    admin.refresh_from_db()
    return admin


@pytest.fixture
def staff(personas):
    """staff@client1.test, owned by the plain user user@client1.test."""
    return list_create(actor=None, domain=personas.client1, name="staff", owner="user")


@pytest.fixture
def owner2(personas):
    return factories.make_account(personas.client1, "owner2")
