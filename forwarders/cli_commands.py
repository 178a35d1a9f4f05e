"""CLI verbs of Forwarder Administration (CommuniGate's CLI): each parses nothing itself and calls
one service or selector. A name may carry @domain; without it, it is in the caller's own domain."""

from __future__ import annotations

from cgadmin.dataformat import Value
from cli.registry import Call, verb
from domains.object_verbs import READ, domain_and_name, listed_domain, object_named
from forwarders import selectors, services
from forwarders.models import Forwarder
from realms.access import access_domain

FORWARDERS = "Forwarders"
WRITE = "AllDomains, Master, or a Domain Administrator with CanCreateForwarders"


def forwarder_named(call: Call, address: str) -> Forwarder:
    """The forwarder `name[@domain]`, when the caller may read its domain."""
    return object_named(call, address, selectors.find_forwarder, "forwarder")


@verb("CreateForwarder name:str TO address:str", rights=WRITE, section=FORWARDERS)
def create_forwarder(call: Call, name: str, address: str) -> None:
    """Create a forwarder that reroutes mail for name[@domain] to the address."""
    domain, local = domain_and_name(call, name)
    services.forwarder_create(actor=call.actor, domain=domain, name=local, target=address)


@verb("DeleteForwarder name:str", rights=WRITE, section=FORWARDERS)
def delete_forwarder(call: Call, name: str) -> None:
    """Remove a forwarder."""
    services.forwarder_delete(actor=call.actor, forwarder=forwarder_named(call, name))


@verb("RenameForwarder name:str INTO new_name:str", rights=WRITE, section=FORWARDERS)
def rename_forwarder(call: Call, name: str, new_name: str) -> None:
    """Rename a forwarder (within its domain)."""
    services.forwarder_rename(actor=call.actor, forwarder=forwarder_named(call, name), new_name=new_name)


@verb("ListForwarders [domain:dom]", rights=READ, section=FORWARDERS)
def list_forwarders(call: Call, domain: str | None) -> Value:
    """The names of the domain's forwarders."""
    return selectors.forwarder_names(listed_domain(call, domain))


@verb("GetForwarder name:str", rights=READ, section=FORWARDERS)
def get_forwarder(call: Call, name: str) -> Value:
    """The address a forwarder reroutes mail to."""
    return forwarder_named(call, name).target


@verb("FindForwarders domain:dom [TO] address:str", rights=READ, section=FORWARDERS)
def find_forwarders(call: Call, domain: str, to: bool, address: str) -> Value:
    """The names of the domain's forwarders that point to the address."""
    return selectors.forwarders_to(access_domain(call.actor, domain), address)
