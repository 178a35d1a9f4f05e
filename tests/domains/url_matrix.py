"""URL matrix rows of the Users realm's domain pages (under /Master/Users/, /Users/ and /Domain/)."""

from tests.realms.matrix import (
    ADMIN,
    ALL,
    CLIENT1_READERS,
    CLIENT1_WRITERS,
    EVERYONE,
    MASTER,
    SERVER_READERS,
    SERVER_WRITERS,
    SUB,
    SUB_DOMAIN_READERS,
    Case,
    Upload,
    UrlRow,
    form,
)

CLIENT1 = {"domain": "client1.test"}
SUB_DOMAIN = {"domain": "sub.client1-family.test"}
NOWHERE = {"domain": "nowhere.test"}
# Who may read a page but sees its settings read-only (READER; Domain Administrators without the
# setting's right) is refused a doctored form that changes them: 403, nothing changes.
UNKNOWN_DOMAIN = {persona: 404 for persona in SERVER_READERS}  # others learn nothing: 403


def server_layer(field: str, value: str) -> UrlRow:
    """A server-wide defaults page: DomainsRead reads it, as the CLI's Get commands (Domain
    Administrators see only their domains' layers over it), AllDomains changes it."""
    return UrlRow(get=Case(ok=SERVER_READERS), post=Case(ok=SERVER_WRITERS, data=form(None, **{field: value})))


def domain_layer(field: str, value: str) -> UrlRow:
    """A per-domain defaults page of client1.test, where no Domain Administrator holds the setting's right."""
    return UrlRow(args=CLIENT1, get=(Case(ok=CLIENT1_READERS), Case(args=NOWHERE, codes=UNKNOWN_DOMAIN)),
                  post=Case(ok=SERVER_WRITERS, data=form(None, **{field: value})))


def _an_import(personas, domain: str, status: str = "done") -> None:
    """Import number 1 of the domain (finished, with a rejected row; or checked, to be started)."""
    from accounts.models import AccountImport
    from domains.models import Domain

    # update_or_create: the page walk sets up the status and the rejected-rows pages in one database.
    AccountImport.objects.update_or_create(pk=1, defaults={
        "domain": Domain.objects.get(name=domain), "file_name": "accounts.csv", "text": "Name\nfresh\n",
        "status": status, "error_count": 1,
        "errors": [[2, "bad name", "taken"]] if status == "checked" else [[2, "taken"]],
        "rejected": "Name,Reason\r\nbad name,taken\r\n"})


def _server_class(personas) -> None:
    from domains.services import service_class_create

    service_class_create(actor=None, domain=None, name="gold")


def _domain_class(personas) -> None:
    from domains.services import service_class_create

    service_class_create(actor=None, domain=personas.client1, name="gold")


MATRIX = {
    "Users:domains": UrlRow(
        get=Case(ok=EVERYONE),  # each sees the domains it may: every one, or those it administers
        post=Case(ok=SERVER_WRITERS, data={"name": "fresh.test"}),
    ),
    "Users:server_account_defaults": server_layer("s_MaxAccountSize", "100M"),
    "Users:server_account_prefs": server_layer("s_Language", "German"),
    "Users:server_domain_defaults": server_layer("s_MailToUnknown", "Discarded"),
    "Users:domain_settings": UrlRow(
        args=CLIENT1,
        get=(
            Case(ok=CLIENT1_READERS),
            Case(args=SUB_DOMAIN, ok=SUB_DOMAIN_READERS),  # CanAdminSubDomains reaches it, its own right does not
            Case(args=NOWHERE, codes=UNKNOWN_DOMAIN),
        ),
        post=(
            Case(ok=CLIENT1_WRITERS, data=form("update", s_MailToUnknown="Discarded")),  # ADMIN holds MailToUnknown
            Case(ok=SERVER_WRITERS, data={"action": "rename", "new_name": "renamed.test"}),
            Case(ok=SERVER_WRITERS, data={"action": "suspend", "confirm": "on"}),
            Case(ok=SERVER_WRITERS, data={"action": "aliases", "aliases": "alias1.test"}),
            Case(args=SUB_DOMAIN, ok=SERVER_WRITERS, data=form("update", s_MailToUnknown="Discarded")),
        ),
    ),
    "Users:accounts": UrlRow(
        args=CLIENT1,
        get=(Case(ok=CLIENT1_READERS), Case(args=SUB_DOMAIN, ok=SUB_DOMAIN_READERS),
             Case(args=NOWHERE, codes=UNKNOWN_DOMAIN)),
        post=(
            Case(ok=SERVER_WRITERS | {ADMIN, SUB}, data={"name": "fresh", "kind": "MultiMailbox"}),
            Case(args=SUB_DOMAIN, ok={ALL, MASTER, SUB}, data={"name": "fresh", "kind": "MultiMailbox"}),
        ),
    ),
    "Users:account_import": UrlRow(
        args=CLIENT1,
        get=(Case(ok=CLIENT1_READERS), Case(args=NOWHERE, codes=UNKNOWN_DOMAIN)),
        # A queued import: the job row is the change; its rows are created by the worker, with the same rights.
        post=Case(ok=SERVER_WRITERS | {ADMIN, SUB},
                  data={"file": Upload("accounts.csv", b"Name,Type,Password\nfresh,MultiMailbox,Secret-1\n")}),
    ),
    "Users:account_import_status": UrlRow(
        args={**CLIENT1, "job": "1"},
        get=(Case(ok=CLIENT1_READERS, setup=lambda personas: _an_import(personas, "client1.test")),
             Case(args={**CLIENT1, "job": "999999"}, codes={persona: 404 for persona in CLIENT1_READERS})),
        # Starting a checked import queues it (the worker creates its rows with the same rights).
        post=Case(ok=SERVER_WRITERS | {ADMIN, SUB}, data={"action": "start"},
                  setup=lambda personas: _an_import(personas, "client1.test", "checked")),
    ),
    "Users:account_import_rejected": UrlRow(
        args={**CLIENT1, "job": "1"},
        get=(Case(ok=CLIENT1_READERS, setup=lambda personas: _an_import(personas, "client1.test")),
             Case(args={**CLIENT1, "job": "999999"}, codes={persona: 404 for persona in CLIENT1_READERS})),
    ),
    "Users:account_export": UrlRow(
        args=CLIENT1,
        get=(Case(ok=CLIENT1_READERS), Case(args=NOWHERE, codes=UNKNOWN_DOMAIN)),
    ),
    "Users:domain_account_defaults": domain_layer("s_MaxAccountSize", "100M"),
    "Users:domain_account_template": domain_layer("s_MaxAccountSize", "100M"),
    "Users:domain_account_prefs": domain_layer("s_Language", "German"),
    "Users:server_service_classes": UrlRow(
        get=Case(ok=SERVER_READERS), post=Case(ok=SERVER_WRITERS, data={"action": "create", "name": "gold"}),
    ),
    "Users:server_service_class": UrlRow(
        args={"name": "gold"},
        get=Case(ok=SERVER_READERS, setup=_server_class),
        post=Case(ok=SERVER_WRITERS, setup=_server_class, data=form(None, s_MaxAccountSize="1G")),
    ),
    "Users:domain_service_classes": UrlRow(
        args=CLIENT1,
        get=(Case(ok=CLIENT1_READERS), Case(args=NOWHERE, codes=UNKNOWN_DOMAIN)),
        post=Case(ok=SERVER_WRITERS, data={"action": "create", "name": "gold"}),  # no ADMIN holds ServiceClasses
    ),
    "Users:domain_service_class": UrlRow(
        args={**CLIENT1, "name": "gold"},
        get=Case(ok=CLIENT1_READERS, setup=_domain_class),
        post=Case(ok=SERVER_WRITERS, setup=_domain_class, data=form(None, s_MaxAccountSize="1G")),
    ),
}
