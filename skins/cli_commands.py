"""CLI verbs of the skins (spec/cli.md, Server section): list, read, store and delete skin files.

Skin names are given without the Admin- prefix; SKIN omitted means the unnamed skin, the look of
every Domain Administrator of the domain who has not chosen another. File data is a datablock."""

from __future__ import annotations

from typing import Any

from cgadmin.dataformat import Value, value_list
from cli.registry import SERVER, ArgumentError, ArgumentReader, Call, verb
from domains.models import Domain
from realms import access
from skins import services

DOMAIN_READ = "AllDomains/DomainsRead, or a Domain Administrator of the domain"
DOMAIN_WRITE = "AllDomains, or a Domain Administrator of the domain with CanModifySkins"


def _domain(call: Call, name: str | None) -> Domain:
    return access.access_domain(call.actor, name or access.default_domain_name(call.actor))


def _files(files: list) -> Value:
    return {entry.name: {"Size": entry.size, "Modified": entry.modified.replace(tzinfo=None)} for entry in files}


def _skin(reader: ArgumentReader, *, positional: bool) -> str:
    """`SKIN name`, or (server skins, as CommuniGate's clients send them) the name alone; `SKIN`
    with no name before FILE or the line's end, as CGPCLI writes the unnamed skin, is that skin."""
    if reader.take_keyword("SKIN"):
        if reader.at_end() or reader.next_is_keyword("FILE"):
            return ""
        return str(reader.take_kind("str", "skin name"))
    if positional and not reader.at_end() and not reader.next_is_keyword("FILE"):
        return str(reader.take_kind("str", "skin name"))
    return ""


def _list_arguments(reader: ArgumentReader, *, with_domain: bool) -> dict[str, Any]:
    arguments: dict[str, Any] = {"domain": reader.take_kind("dom", "domain name")} if with_domain else {}
    arguments["skin"] = _skin(reader, positional=not with_domain)
    return arguments


def _read_arguments(reader: ArgumentReader, *, with_domain: bool) -> dict[str, Any]:
    arguments = _list_arguments(reader, with_domain=with_domain)
    reader.expect_keyword("FILE", "the skin")
    arguments["name"] = reader.take_kind("str", "file name")
    return arguments


def _store_arguments(reader: ArgumentReader, *, with_domain: bool) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    if with_domain:
        arguments["domain"] = reader.take_kind("dom", "domain name")
    arguments["skin"] = _skin(reader, positional=not with_domain)
    if not reader.take_keyword("FILE"):
        raise ArgumentError("FILE expected")
    arguments["name"] = reader.take_kind("str", "file name")
    if reader.take_keyword("DELETE"):
        arguments["data"] = None
    elif reader.take_keyword("DATA"):
        data = reader.take("file data")
        if not isinstance(data, bytes | str):
            raise ArgumentError("DATA must be a datablock [base64] or a string")
        arguments["data"] = data.encode("utf-8") if isinstance(data, str) else data
    else:
        raise ArgumentError("DATA or DELETE expected")
    return arguments


@verb("ListServerSkins", rights="any server administrator or Domain Administrator", section=SERVER)
def list_server_skins(call: Call) -> Value:
    """The server-wide Admin- skins."""
    return value_list(services.skins_list(actor=call.actor, domain=None))


@verb("ListDomainSkins [domain:dom]", rights=DOMAIN_READ, section=SERVER)
def list_domain_skins(call: Call, domain: str | None) -> Value:
    """The domain's Admin- skins ("" is the unnamed skin)."""
    return value_list(services.skins_list(actor=call.actor, domain=_domain(call, domain)))


@verb("ListDomainSkinFiles domain:dom [SKIN skin:str]", rights=DOMAIN_READ, section=SERVER,
      parse=lambda reader: _list_arguments(reader, with_domain=True))
def list_domain_skin_files(call: Call, domain: str, skin: str | None) -> Value:
    """The files of one skin of the domain, with their sizes and times."""
    return _files(services.skin_files(actor=call.actor, domain=_domain(call, domain), skin=skin or ""))


@verb("StoreDomainSkinFile domain:dom [SKIN skin:str] FILE name:str DATA data:any", rights=DOMAIN_WRITE,
      section=SERVER, parse=lambda reader: _store_arguments(reader, with_domain=True))
def store_domain_skin_file(call: Call, domain: str, skin: str, name: str, data: bytes | None) -> None:
    """Upload a file into a domain skin, or DELETE it."""
    target = _domain(call, domain)
    if data is None:
        services.skin_file_delete(actor=call.actor, domain=target, skin=skin, name=name)
    else:
        services.skin_file_store(actor=call.actor, domain=target, skin=skin, name=name, data=data)


@verb("ReadDomainSkinFile domain:dom [SKIN skin:str] FILE name:str", rights=DOMAIN_READ, section=SERVER,
      parse=lambda reader: _read_arguments(reader, with_domain=True))
def read_domain_skin_file(call: Call, domain: str, skin: str | None, name: str) -> Value:
    """A domain skin file: (data, modification time)."""
    data, modified = services.skin_file_read(actor=call.actor, domain=_domain(call, domain), skin=skin or "", name=name)
    return [data, modified.replace(tzinfo=None)]


@verb("ListServerSkinFiles [SKIN skin:str]", rights="any server administrator or Domain Administrator",
      section=SERVER, summary="(ext) the files of a server-wide skin",
      parse=lambda reader: _list_arguments(reader, with_domain=False))
def list_server_skin_files(call: Call, skin: str | None) -> Value:
    """The files of one server-wide skin."""
    return _files(services.skin_files(actor=call.actor, domain=None, skin=skin or ""))


@verb("StoreServerSkinFile [SKIN skin:str] FILE name:str DATA data:any", rights="Settings or Master",
      section=SERVER, summary="(ext) upload or DELETE a server-wide skin file",
      parse=lambda reader: _store_arguments(reader, with_domain=False))
def store_server_skin_file(call: Call, skin: str, name: str, data: bytes | None) -> None:
    """Upload a file into a server-wide skin, or DELETE it."""
    if data is None:
        services.skin_file_delete(actor=call.actor, domain=None, skin=skin, name=name)
    else:
        services.skin_file_store(actor=call.actor, domain=None, skin=skin, name=name, data=data)


@verb("ReadServerSkinFile [SKIN skin:str] FILE name:str", rights="any server administrator or Domain Administrator",
      section=SERVER, summary="(ext) read a server-wide skin file",
      parse=lambda reader: _read_arguments(reader, with_domain=False))
def read_server_skin_file(call: Call, skin: str | None, name: str) -> Value:
    """A server-wide skin file: (data, modification time)."""
    data, modified = services.skin_file_read(actor=call.actor, domain=None, skin=skin or "", name=name)
    return [data, modified.replace(tzinfo=None)]
