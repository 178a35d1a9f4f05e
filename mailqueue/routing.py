"""Where each recipient's copy goes: an account's INBOX, a wait, or a failure (with or without a
report). One Router lives for one delivery pass and remembers what it looked up.

- Local domains are the Main Domain, the created domains and their aliases (the seed's rule);
  a name without @domain is in the Main Domain. Anything else is remote.
- An unknown name in a local domain follows the domain's MailToUnknown: Rejected (failed, a
  report to a local sender), Rerouted (to MailRerouteAddress, `*` standing for the name),
  Discarded (failed silently), Accepted and Bounced (failed, a report to any sender).
- An account whose AccessModes (or whose domain's DomainAccessModes) leave out Mail is disabled
  for mail: failed with a report. A suspended domain's mail waits until it is resumed.
- MaxMessageSize refuses larger messages. MaxAccountSize against StorageUsed (the sizes of the
  account's mailbox files): over it, QuotaSuspend YES keeps the message waiting, NO fails it.
- A forwarder's mail goes to its target, a group's to each member (Expand: the delivery adds a
  recipient for each address and routes it in the same pass; a message reaches an address once).
- A mailing list's mail goes to its subscribers in the subscribe and feed modes (digest, index,
  null and banned get no immediate copy; unconfirmed subscriptions none), as the sender may post:
  a subscriber's own posting mode first (prohibited: refused; special: distributed; moderateAll or
  N moderated: held), then the list's Postings policy (from anybody; from subscribers, others
  refused; moderated, held unless the owner posts; from owner only). A banned sender is refused.
  A held posting goes to the list owner's INBOX instead (Expand to the owner).
- Remote recipients wait in their domain's SMTP queue (there is no SMTP module), unless the
  domain's MX or A records point at this server: then it is a mail loop, failed with a report."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import Account, AccountAlias, Mailbox
from accounts.selectors import account_effective_values, find_account
from basedir import paths
from cgadmin.catalogue import InvalidInput, parse_size
from cgadmin.dataformat import Value
from domains.models import Domain, DomainAlias
from domains.names import lookup_domain_key
from domains.selectors import domain_effective_values, find_domain, foldering_in_force, main_domain_or_none
from domains.settings_schema import REROUTED
from forwarders.models import Forwarder
from groups.models import Group
from lists.models import IMMEDIATE_MODES, MailingList, PostingMode, Subscriber, SubscriberMode
from lists.settings_schema import FROM_ANYBODY, FROM_SUBSCRIBERS, LIST, MODERATED, POSTINGS, SIZE_LIMIT
from mailqueue import mailstore
from mailrules.rules import MAIL, SERVER_DOCUMENTS
from server import documents

LOCAL = "LOCAL"
SMTP = "SMTP"
INBOX = "INBOX"
REMOTE_RETRY_SECONDS = 15 * 60
QUOTA_RETRY_SECONDS = 5 * 60
SUSPENDED_RETRY_SECONDS = 5 * 60
BUSY_RETRY_SECONDS = 30
NO_SMTP = "no SMTP module on this server: waiting to be released or rejected"
REPORT_NONE, REPORT_LOCAL, REPORT_ANY = "none", "local", "any"


@dataclass(frozen=True)
class Deliver:
    account: Account
    mailbox: Mailbox
    note: str = ""


@dataclass(frozen=True)
class Wait:
    module: str
    queue: str
    reason: str
    seconds: int


@dataclass(frozen=True)
class Fail:
    reason: str
    report: str = REPORT_LOCAL  # who gets a non-delivery report: nobody, a local sender, any sender
    counter: str = "mail.rejected"


@dataclass(frozen=True)
class Duplicate:
    reason: str


@dataclass(frozen=True)
class Expand:
    """The address is a forwarder or a group: its copy goes to each of these addresses instead
    (a bare name is in the object's own domain, already added here)."""

    addresses: tuple[str, ...]
    reason: str
    posting: ListPosting | None = None  # a mailing list's posting: counted when the expansion is made


@dataclass(frozen=True)
class ListPosting:
    """What a list's expansion records: the list's and the sender's postings, or one moderated one used."""

    list_id: int
    subscriber_id: int | None
    held: bool


Decision = Deliver | Wait | Fail | Duplicate | Expand
DomainObject = Forwarder | Group | MailingList


def list_expansion(found: MailingList, *, sender: str, size: int) -> Expand | Fail:
    """Where a posting to a mailing list goes: its immediate subscribers, the owner (held for
    moderation), or nowhere (refused, with a report to the sender)."""
    address = f"{found.name}@{found.domain.name}"
    limit = _size_limit(found.settings.get(SIZE_LIMIT, "unlimited"))
    if limit is not None and size > limit:
        return Fail(f"the message is larger than the list {address} accepts ({limit} bytes)", report=REPORT_ANY)
    sender = sender.strip().lower()
    poster = Subscriber.objects.filter(mailing_list=found, address=sender).first() if sender else None
    owner = f"{found.owner.name}@{found.domain.name}"
    refused = f"{sender or 'the sender'} may not post to the list {address}"
    held = Expand((owner,), f"held for moderation: sent to the owner of the list {address}",
                  ListPosting(found.pk, poster.pk if poster else None, held=True))
    if poster is not None and (poster.mode == SubscriberMode.BANNED or poster.posting == PostingMode.PROHIBITED):
        return Fail(f"{refused} ({'banned' if poster.mode == SubscriberMode.BANNED else 'postings prohibited'})",
                    report=REPORT_ANY)
    if poster is not None and poster.posting == PostingMode.SPECIAL:
        return _distribution(found, poster)
    if poster is not None and (poster.posting == PostingMode.MODERATE_ALL or poster.moderated_left > 0):
        return held
    policy = str(found.settings.get(POSTINGS, LIST[POSTINGS].default))
    is_owner = sender == owner
    if policy == FROM_ANYBODY or is_owner:
        return _distribution(found, poster)
    if policy == FROM_SUBSCRIBERS:
        return _distribution(found, poster) if poster is not None else Fail(
            f"{refused}: only subscribers may post", report=REPORT_ANY)
    if policy == MODERATED:
        return held
    return Fail(f"{refused}: only the owner may post", report=REPORT_ANY)


def _distribution(found: MailingList, poster: Subscriber | None) -> Expand:
    rows = Subscriber.objects.filter(mailing_list=found, mode__in=IMMEDIATE_MODES, confirmation_id="")
    addresses = tuple(rows.order_by("address").values_list("address", flat=True))
    return Expand(addresses, f"list {found.name}@{found.domain.name}: {len(addresses)} subscriber(s)",
                  ListPosting(found.pk, poster.pk if poster else None, held=False))


def expansion(found: Forwarder | Group) -> Expand:
    """Where mail to a forwarder or a group goes."""
    domain = found.domain.name
    if isinstance(found, Forwarder):
        target = found.target if "@" in found.target else f"{found.target}@{domain}"
        return Expand((target,), f"forwarded to {target}")
    members = tuple(member if "@" in member else f"{member}@{domain}" for member in found.members)
    return Expand(members, f"group {found.name}@{domain}: {len(members)} member(s)")


def mail_enabled(modes: Value) -> bool:
    """Enabled Services (All, None, or a list) include Mail."""
    if isinstance(modes, str):
        return modes.lower() != "none"
    if isinstance(modes, list):
        return any(str(item).lower() == "mail" for item in modes)
    return True


def _size_limit(value: Value) -> int | None:
    try:
        return parse_size(value)
    except InvalidInput:
        return None


def _suspend_share(value: Value) -> int | None:
    """QuotaSuspend as the share of the quota from which new mail waits: YES is 100%, a percentage
    (CommuniGate's form, `95%`) is itself; NO (or anything else) never delays, the mail fails."""
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if text.upper() == "YES":
        return 100
    digits = text.rstrip("%")
    return int(digits) if digits.isdigit() else None


# The server documents a delivery pass reads, fetched together in one query.
DOCUMENTS = (documents.MAIN, documents.DOMAIN_DEFAULTS, documents.ACCOUNT_DEFAULTS, documents.NETWORK,
             documents.RUNTIME, SERVER_DOCUMENTS[MAIL])
_UNSET = object()


class Router:
    """Routes addresses for one delivery pass, each lookup made once.

    `preload` fetches what a whole batch needs (the Main Domain, the server documents, every
    domain, account, alias and INBOX its addresses name) in a fixed number of queries, however many
    recipients the batch has; a lookup it did not foresee (a reroute target) is made on its own."""

    def __init__(self) -> None:
        self._main: Domain | object | None = _UNSET
        self._domain_objects: dict[int, Domain] = {}
        self._domains: dict[str, Domain | None] = {}
        self._domain_values: dict[int, dict[str, Value]] = {}
        self._accounts: dict[tuple[int, str], Account | None] = {}
        self._objects: dict[tuple[int, str], DomainObject | None] = {}  # forwarders and groups
        self._account_values: dict[int, dict[str, Value]] = {}
        self._inboxes: dict[int, Mailbox | None] = {}
        self._storage: dict[int, int] = {}
        self._loops: dict[str, bool] = {}
        self._local_ips: set[str] | None = None
        self._server_documents: dict[str, dict[str, Value]] = {}

    # --- preloading ------------------------------------------------------------------------

    def preload(self, addresses: Iterable[str], senders: Iterable[str] = ()) -> None:
        """Look up, in a few queries, everything that routing these addresses will ask for, and the
        accounts of these senders (their own limits, mailqueue.limits) in the same queries."""
        from server.models import ServerDocument

        wanted = [address for address in addresses if address]
        senders = [address for address in senders if address]
        missing = [name for name in DOCUMENTS if name not in self._server_documents]
        if missing:
            found = {document.name: document.data
                     for document in ServerDocument.objects.filter(name__in=missing).only("name", "data")}
            for name in missing:
                self._server_documents[name] = dict(found.get(name) or {})
        journal = str(self.document(documents.MAIN).get("JournalAccount") or "").strip()
        if journal:
            wanted.append(journal)
        self._preload_domains([*wanted, *senders])
        self._preload_accounts(wanted, senders)

    def _one_domain(self, domain: Domain) -> Domain:
        """One Python object per domain row, so what is cached on it is shared."""
        return self._domain_objects.setdefault(domain.pk, domain)

    def _preload_domains(self, addresses: list[str]) -> None:
        keys: dict[str, str] = {}  # cache key -> lookup key
        for address in addresses:
            _local, name = self.split_unloaded(address)
            key = name.strip().lower()
            if key and key not in self._domains:
                keys[key] = lookup_domain_key(key)
        condition = Q(name__in=set(keys.values()))
        if self._main is _UNSET:
            condition |= Q(is_main=True)
        by_name: dict[str, Domain] = {}
        for domain in Domain.objects.filter(condition):
            domain = self._one_domain(domain)
            by_name[domain.name] = domain
            if domain.is_main:
                self._main = domain
        if self._main is _UNSET:
            self._main = None
        if isinstance(self._main, Domain):
            self._domains.setdefault(self._main.name, self._main)
        unmatched = {lookup for lookup in keys.values() if lookup not in by_name}
        if unmatched:
            for alias in DomainAlias.objects.select_related("domain").filter(name__in=unmatched):
                by_name[alias.name] = self._one_domain(alias.domain)
        for key, lookup in keys.items():
            self._domains[key] = by_name.get(lookup)

    def _preload_accounts(self, addresses: list[str], senders: Iterable[str] = ()) -> None:
        names: dict[int, set[str]] = defaultdict(set)
        routed: set[tuple[int, str]] = set()  # a sender is only looked up as an account, never as a forwarder
        for address in [*addresses, *senders]:
            local, domain_name = self.split(address)
            domain = self.domain(domain_name) if domain_name else None
            key = local.strip().lower()
            if domain is not None and key and (domain.pk, key) not in self._accounts:
                names[domain.pk].add(key)
        for address in addresses:
            local, domain_name = self.split(address)
            domain = self.domain(domain_name) if domain_name else None
            if domain is not None:
                routed.add((domain.pk, local.strip().lower()))
        if not names:
            return
        everyone = set().union(*names.values())
        for account in Account.objects.filter(domain_id__in=list(names), name__in=everyone):
            if account.name in names[account.domain_id]:
                account.domain = self._domain_objects[account.domain_id]
                self._accounts[(account.domain_id, account.name)] = account
        left = {(domain_id, name) for domain_id, wanted in names.items() for name in wanted
                if (domain_id, name) not in self._accounts}
        if left:
            aliases = AccountAlias.objects.select_related("account__domain").filter(
                domain_id__in={domain_id for domain_id, _ in left}, name__in={name for _, name in left})
            for alias in aliases:
                if (alias.domain_id, alias.name) in left:
                    account = alias.account
                    account.domain = self._one_domain(account.domain)
                    self._accounts[(alias.domain_id, alias.name)] = account
        for unknown in left:
            self._accounts.setdefault(unknown, None)
        self._preload_objects({key for key in left if self._accounts[key] is None and key in routed})
        accounts = [account for account in self._accounts.values()
                    if account is not None and account.pk not in self._inboxes]
        if accounts:
            by_account = {account.pk: account for account in accounts}
            for mailbox in Mailbox.objects.filter(account_id__in=list(by_account), name=INBOX):
                mailbox.account = by_account[mailbox.account_id]
                self._inboxes[mailbox.account_id] = mailbox
            for account_id in by_account:
                self._inboxes.setdefault(account_id, None)

    def _preload_objects(self, keys: set[tuple[int, str]]) -> None:
        """The forwarders and groups among names that are no account or alias (two queries)."""
        keys = {key for key in keys if key not in self._objects}
        if not keys:
            return
        domain_ids, names = {domain_id for domain_id, _ in keys}, {name for _, name in keys}
        lists = MailingList.objects.select_related("owner")
        for query in (Forwarder.objects.all(), Group.objects.all(), lists):
            for found in query.filter(domain_id__in=domain_ids, name__in=names):
                key = (found.domain_id, found.name)
                if key in keys:
                    found.domain = self._domain_objects[found.domain_id]
                    self._objects.setdefault(key, found)
        for key in keys:
            self._objects.setdefault(key, None)

    # --- lookups ----------------------------------------------------------------------------

    @property
    def main(self) -> Domain | None:
        if self._main is _UNSET:
            main = main_domain_or_none()
            self._main = self._one_domain(main) if main is not None else None
        return self._main  # type: ignore[return-value]

    def document(self, name: str) -> dict[str, Value]:
        if name not in self._server_documents:
            self._server_documents[name] = documents.read(name)
        return self._server_documents[name]

    def domain(self, name: str) -> Domain | None:
        key = name.strip().lower()
        if key not in self._domains:
            try:
                found = find_domain(key)
            except InvalidInput:
                found = None
            self._domains[key] = self._one_domain(found) if found is not None else None
        return self._domains[key]

    def domain_values(self, domain: Domain) -> dict[str, Value]:
        if domain.pk not in self._domain_values:
            self._domain_values[domain.pk] = domain_effective_values(
                domain, domain_defaults=self.document(documents.DOMAIN_DEFAULTS))
        return self._domain_values[domain.pk]

    def foldering(self, domain: Domain) -> str:
        return foldering_in_force(self.domain_values(domain))

    def account(self, domain: Domain, name: str) -> Account | None:
        key = (domain.pk, name.strip().lower())
        if key not in self._accounts:
            account = find_account(domain.name, name)
            if account is not None:
                account.domain = self._one_domain(account.domain)
            self._accounts[key] = account
        return self._accounts[key]

    def domain_object(self, domain: Domain, name: str) -> DomainObject | None:
        """The forwarder or group of this name in the domain (one namespace: at most one is)."""
        key = (domain.pk, name.strip().lower())
        if key not in self._objects:
            self._domain_objects.setdefault(domain.pk, domain)
            self._preload_objects({key})
        return self._objects[key]

    def account_values(self, account: Account) -> dict[str, Value]:
        if account.pk not in self._account_values:
            # The server documents this pass has read once, not re-read for every account.
            self._account_values[account.pk] = account_effective_values(
                account, account_defaults=self.document(documents.ACCOUNT_DEFAULTS),
                domain_defaults=self.document(documents.DOMAIN_DEFAULTS))
        return self._account_values[account.pk]

    def inbox(self, account: Account) -> Mailbox | None:
        if account.pk not in self._inboxes:
            mailbox = Mailbox.objects.filter(account=account, name=INBOX).first()
            if mailbox is not None:
                mailbox.account = account
            self._inboxes[account.pk] = mailbox
        return self._inboxes[account.pk]

    def mailbox_path(self, mailbox: Mailbox):
        return paths.mailbox_path(mailbox, self.foldering(mailbox.account.domain))

    def storage_used(self, account: Account) -> int:
        """StorageUsed: the sizes of the account's mailbox files (what this pass added included).
        The mailboxes of every account of the pass that has a MaxAccountSize are listed at once."""
        if account.pk not in self._storage:
            owners = {other.pk: other for other in self._accounts.values()
                      if other is not None and other.pk not in self._storage
                      and _size_limit(self.account_values(other).get("MaxAccountSize")) is not None}
            owners[account.pk] = account
            totals = dict.fromkeys(owners, 0)
            for mailbox in Mailbox.objects.filter(account_id__in=list(owners)):
                owner = owners[mailbox.account_id]
                mailbox.account = owner
                totals[owner.pk] += mailstore.storage_used(paths.mailbox_path(mailbox, self.foldering(owner.domain)))
            self._storage.update(totals)
        return self._storage[account.pk]

    def local_ips(self) -> set[str]:
        if self._local_ips is None:
            from server import osinfo

            listed = self.document(documents.NETWORK).get("LocalIPs")
            addresses: list[Value] | list[str]
            if isinstance(listed, list):
                addresses = listed
            else:
                excluded = self.document(documents.RUNTIME).get("ExcludedLocalIPs")
                addresses = osinfo.local_ip_addresses([str(x) for x in excluded] if isinstance(excluded, list) else [])
            self._local_ips = {str(address).strip("[]") for address in addresses}
        return self._local_ips

    def is_loop(self, domain_name: str) -> bool:
        """The domain's MX (else A) records point at one of this server's own addresses."""
        if domain_name not in self._loops:
            from server.dns import domain_addresses

            mine = self.local_ips()
            found = False
            for address in domain_addresses(domain_name):
                try:
                    parsed = ipaddress.ip_address(address)
                except ValueError:
                    continue
                if parsed.is_loopback or str(parsed) in mine:
                    found = True
                    break
            self._loops[domain_name] = found
        return self._loops[domain_name]

    # --- routing ----------------------------------------------------------------------------

    def split(self, address: str) -> tuple[str, str]:
        local, at, domain = address.strip().rpartition("@")
        if not at:
            return domain, self.main.name if self.main else ""
        return local, domain

    def split_unloaded(self, address: str) -> tuple[str, str]:
        """split, before the Main Domain is known: a bare name's domain is "" (the preload's own
        query finds the Main Domain)."""
        local, at, domain = address.strip().rpartition("@")
        return (local, domain) if at else (domain, "")

    def is_local_address(self, address: str) -> bool:
        """Whether an address is in a local domain (a report goes to local senders)."""
        if not address:
            return False
        _local, domain = self.split(address)
        return self.domain(domain) is not None

    def route(self, address: str, *, size: int, rerouted: bool = False, sender: str = "") -> Decision:
        """Where a copy for this address goes (the sender decides whether a list takes a posting)."""
        local, domain_name = self.split(address)
        domain = self.domain(domain_name) if domain_name else None
        if domain is None:
            return self.remote(domain_name)
        account = self.account(domain, local)
        if account is None:
            found = self.domain_object(domain, local)
            if isinstance(found, MailingList):
                return list_expansion(found, sender=sender, size=size)
            if found is not None:
                return expansion(found)
            return self.unknown(domain, local, size=size, rerouted=rerouted)
        return self.local(account, size=size)

    def local(self, account: Account, *, size: int) -> Decision:
        domain = account.domain
        if domain.suspended:
            return Wait(LOCAL, account.address, f"the domain {domain.name} is suspended", SUSPENDED_RETRY_SECONDS)
        values = self.account_values(account)
        if not mail_enabled(self.domain_values(domain).get("DomainAccessModes")):
            return Fail(f"mail is disabled for the domain {domain.name}")
        if not mail_enabled(values.get("AccessModes")):
            return Fail("mail is disabled for this account (AccessModes)")
        largest = _size_limit(values.get("MaxMessageSize"))
        if largest is not None and size > largest:
            return Fail(f"the message is larger than the account accepts ({largest} bytes, MaxMessageSize)")
        mailbox = self.inbox(account)
        if mailbox is None:
            return Wait(LOCAL, account.address, "the account has no INBOX mailbox", QUOTA_RETRY_SECONDS)
        quota = _size_limit(values.get("MaxAccountSize"))
        if quota is not None:
            used = self.storage_used(account)
            suspend_at = _suspend_share(values.get("QuotaSuspend"))
            if suspend_at is not None and used + size > quota * suspend_at // 100:
                share = "its quota" if suspend_at >= 100 else f"{suspend_at}% of its quota"
                reason = f"the account is over {share} ({used} of {quota} bytes used, QuotaSuspend)"
                return Wait(LOCAL, account.address, reason, QUOTA_RETRY_SECONDS)
            if used + size > quota:
                return Fail(f"the account is over its quota ({used} of {quota} bytes used, MaxAccountSize)")
            self._storage[account.pk] = used + size
        return Deliver(account, mailbox)

    def unknown(self, domain: Domain, local: str, *, size: int, rerouted: bool) -> Decision:
        values = self.domain_values(domain)
        action = str(values.get("MailToUnknown") or "Rejected")
        reason = f"unknown user account {local}@{domain.name}"
        if action == "Discarded":
            return Fail(f"{reason}: discarded", report=REPORT_NONE, counter="mail.discarded")
        if action == "Accepted and Bounced":
            return Fail(reason, report=REPORT_ANY)
        target = str(values.get("MailRerouteAddress") or "").strip()
        if action in REROUTED and target and not rerouted:
            target = target.replace("*", local)
            decision = self.route(target, size=size, rerouted=True)
            if isinstance(decision, Deliver):
                return Deliver(decision.account, decision.mailbox, note=f"rerouted to {target}")
            return decision
        return Fail(reason)

    def remote(self, domain_name: str) -> Decision:
        queue = domain_name.strip().lower().rstrip(".")
        try:
            queue = queue.encode("idna").decode("ascii")
        except UnicodeError:
            return Fail(f"bad domain name {domain_name!r}")
        if not queue:
            return Fail("no domain in the address")
        if self.is_loop(queue):
            return Fail(f"mail loop: {queue} points to this server but is not one of its domains",
                        counter="mail.loops")
        return Wait(SMTP, queue, NO_SMTP, REMOTE_RETRY_SECONDS)

    def journal_account(self) -> Account | None:
        """The JournalAccount server setting's account, when it names a local one."""
        name = str(self.document(documents.MAIN).get("JournalAccount") or "").strip()
        if not name:
            return None
        local, domain_name = self.split(name)
        domain = self.domain(domain_name)
        return self.account(domain, local) if domain is not None else None
