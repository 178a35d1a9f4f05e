"""DNS lookups for "Using DNS A/MX Records" domains and for mail-loop detection.

The resolver is chosen by settings.DNS_RESOLVER (a dotted path) so tests can answer from a fixed
table on loopback instead of reaching the network."""

from collections.abc import Iterable
from typing import Protocol

import dns.exception
import dns.resolver
from django.conf import settings
from django.utils.module_loading import import_string


class Resolver(Protocol):
    def addresses(self, name: str) -> list[str]: ...

    def mail_hosts(self, name: str) -> list[str]: ...


class SystemResolver:
    """dnspython with the OS's name servers and short timeouts (a page waits for it)."""

    def __init__(self, timeout: float = 3.0) -> None:
        self._resolver = dns.resolver.Resolver()
        self._resolver.lifetime = timeout

    def _query(self, name: str, rdtype: str) -> Iterable:
        try:
            return self._resolver.resolve(name, rdtype)
        except (dns.exception.DNSException, OSError):
            return []

    def addresses(self, name: str) -> list[str]:
        return [answer.to_text() for rdtype in ("A", "AAAA") for answer in self._query(name, rdtype)]

    def mail_hosts(self, name: str) -> list[str]:
        return [str(answer.exchange).rstrip(".") for answer in self._query(name, "MX")]


class StaticResolver:
    """Answers from a fixed table: {"name": ["1.2.3.4"], "MX:name": ["mx.host"]} (tests, air-gapped)."""

    table: dict[str, list[str]] = {}

    def addresses(self, name: str) -> list[str]:
        return list(self.table.get(name.lower(), []))

    def mail_hosts(self, name: str) -> list[str]:
        return list(self.table.get(f"MX:{name.lower()}", []))


def resolver() -> Resolver:
    return import_string(getattr(settings, "DNS_RESOLVER", "server.dns.SystemResolver"))()


def domain_addresses(name: str) -> list[str]:
    """Addresses of a domain by its MX hosts' A/AAAA records, else its own A/AAAA records."""
    lookup = resolver()
    hosts = lookup.mail_hosts(name) or [name]
    found: list[str] = []
    for host in hosts:
        for address in lookup.addresses(host):
            if address not in found:
                found.append(address)
    return found
