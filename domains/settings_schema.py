"""Domain settings (Domains/<d>/Settings/Domain.settings), grouped as the seed's rights table.

Each entry's right is its own name: a Domain Administrator changes it only with that right
(spec/rights.md, "Domain settings"). Settings without a right are for server administrators."""

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from cgadmin.catalogue import (
    NO_EFFECT,
    Catalogue,
    Kind,
    Level,
    SettingDef,
    choice_checker,
    services_checker,
)
from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput

SERVICES = (
    "Mail", "Relay", "Signal", "Mobile", "TLS", "POP", "IMAP", "MAPI", "AirSync", "SIP", "XMPP",
    "WebMail", "XIMSS", "FTP", "ACAP", "PWD", "LDAP", "RADIUS", "S/MIME", "WebCAL", "WebSite", "PBX",
    "HTTP",
)
FOLDERING = ("flat", "one-level", "two-level")
# "Rerouted to" is CommuniGate's word (control panels send it); "Rerouted" is read as the same.
REROUTED = ("Rerouted to", "Rerouted")
UNKNOWN_ACTIONS = ("Rejected", "Rerouted to", "Discarded", "Accepted and Bounced", "Rerouted")
MAIL_TO_ALL = ("Anybody", "Clients", "Authenticated", "Authenticated Users", "Authenticated Domain Users",
               "Domain Users", "Authenticated Administrator", "Administrators", "Nobody")
# Who must authenticate before sending through SMTP; YES and NO are read as everybody / nobody.
FORCE_SMTP_AUTH = ("nobody", "non-clients", "clients", "everybody")
USING_DNS = "Using DNS A/MX Records"
MIN_PASSWORD_LENGTH = "MinPasswordLength"
PASSWORD_COMPLEXITY = "PasswordComplexity"
ANY_CHARACTERS, LETTERS_DIGITS, LETTERS_DIGITS_SYMBOLS = "any", "letters and digits", "letters, digits and symbols"
MAX_PASSWORD_LENGTH = 128


def check_ip_addresses(value: Value) -> Value:
    """Assigned IP Addresses: a list of addresses, or the words for "Using DNS A/MX Records"."""
    if isinstance(value, str) and value.lower() in (USING_DNS.lower(), "dns"):
        return USING_DNS
    if isinstance(value, list):
        for item in value:
            try:
                ipaddress.ip_address(str(item).strip("[]"))
            except ValueError:
                raise InvalidInput(f"{item!r} is not an IP address")
        return value
    raise InvalidInput(f"{value!r} is not a list of IP addresses or {USING_DNS!r}")


def check_force_smtp_auth(value: Value) -> Value:
    """nobody, non-clients, clients or everybody (any case); the older YES / NO kept as sent."""
    if isinstance(value, str) and value.upper() in ("YES", "NO"):
        return value.upper()
    return choice_checker(FORCE_SMTP_AUTH)(value)


def check_domain_reference(value: Value) -> Value:
    """An optional domain name (Administrator Domain Name); checked for shape, not existence."""
    if not isinstance(value, str):
        raise InvalidInput(f"{value!r} is not a domain name")
    if value:
        from domains.names import normalize_domain_name

        return normalize_domain_name(value, allow_idn=True)
    return value


def check_min_password_length(value: Value) -> Value:
    """A number of characters from 0 (no minimum) to 128."""
    text = str(value)
    if isinstance(value, bool) or not text.isdigit() or int(text) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"{value!r} is not a number of characters from 0 to {MAX_PASSWORD_LENGTH}")
    return value


@dataclass(frozen=True)
class PasswordPolicy:
    """What a typed password must be in a domain (MinPasswordLength, PasswordComplexity)."""

    min_length: int = 0
    complexity: str = ANY_CHARACTERS

    @classmethod
    def of(cls, values: Mapping[str, Value]) -> "PasswordPolicy":
        """The policy in force from a domain's effective settings."""
        length = str(values.get(MIN_PASSWORD_LENGTH, 0))
        complexity = str(values.get(PASSWORD_COMPLEXITY, ANY_CHARACTERS)).lower()
        return cls(int(length) if length.isdigit() else 0, complexity)

    def problem(self, password: str) -> str | None:
        """Why the password breaks the policy, naming the rule; None when it keeps it."""
        if len(password) < self.min_length:
            return f"the password must be at least {self.min_length} characters long"
        letters = any(c.isalpha() for c in password)
        digits = any(c.isdigit() for c in password)
        symbols = any(not c.isalnum() for c in password)
        if self.complexity == LETTERS_DIGITS and not (letters and digits):
            return "the password must contain both letters and digits"
        if self.complexity == LETTERS_DIGITS_SYMBOLS and not (letters and digits and symbols):
            return "the password must contain letters, digits and symbols (such as ! or #)"
        return None


def _domain(name, kind, default, group, label, level=Level.ADVANCED, **extra) -> SettingDef:
    extra.setdefault("right", name)
    return SettingDef(name, kind, default, group, label, level, **extra)


DOMAIN = Catalogue(
    "domain",
    [
        _domain("DomainAccessModes", Kind.SERVICES, "All", "Enabled Services", "Enabled Services", Level.BASIC,
                choices=SERVICES, check=services_checker(SERVICES)),
        SettingDef("AdministratorDomainName", Kind.STRING, "", "Administration", "Administrator Domain Name",
                   Level.ADVANCED, check=check_domain_reference,
                   help="Domain Administrators of that domain with CanAdminSubDomains administer this one."),
        SettingDef("IPAddresses", Kind.ANY, [], "Administration", "Assigned IP Addresses", Level.ADVANCED,
                   check=check_ip_addresses,
                   help=f"Listed addresses, or {USING_DNS!r}: looked up when the General page is refreshed."),
        _domain("AutoSignup", Kind.BOOL, "NO", "Provisioning", "Auto-Signup", Level.EXPERT),
        _domain("ExternalOnProvision", Kind.BOOL, "NO", "Provisioning", "Consult External on Provision",
                Level.EXPERT),
        _domain("TrailerText", Kind.TEXT, "", "Client Interfaces", "Mail Trailer Text"),
        _domain("WebBanner", Kind.TEXT, "", "WebUser Interface", "Web Banner Text", Level.EXPERT),
        _domain("WebSitePrefix", Kind.STRING, "~", "WebUser Interface", "Personal Web Site Prefix", Level.EXPERT),
        _domain("Foldering", Kind.ENUM, "flat", "Large Domains", "Foldering Method", choices=FOLDERING),
        _domain("FolderIndex", Kind.BOOL, "NO", "Large Domains", "Generate Index", Level.EXPERT),
        _domain("RenameInPlace", Kind.BOOL, "NO", "Large Domains", "Rename in Place", Level.EXPERT),
        _domain("AllWithForwarders", Kind.BOOL, "NO", "Mail to All", "Send to Forwarders", Level.EXPERT),
        _domain("MailToAllAction", Kind.ENUM, "Administrators", "Mail to All", "Distributed for",
                choices=MAIL_TO_ALL),
        _domain("ExternalOnUnknown", Kind.BOOL, "NO", "Unknown Names", "Consult External for Unknown",
                Level.EXPERT),
        _domain("MailToUnknown", Kind.ENUM, "Rejected", "Unknown Names", "Mail to Unknown Names", Level.BASIC,
                choices=UNKNOWN_ACTIONS),
        _domain("MailRerouteAddress", Kind.STRING, "", "Unknown Names", "Mail Rerouted to", Level.BASIC),
        _domain("SignalToUnknown", Kind.ENUM, "Rejected", "Unknown Names", "Signal to Unknown Names",
                choices=("Rejected", "Rerouted")),
        _domain("SignalRerouteAddress", Kind.STRING, "", "Unknown Names", "Signal Rerouted to"),
        _domain("AccessToUnknown", Kind.ENUM, "Rejected", "Unknown Names", "Access to Unknown Names",
                Level.EXPERT, choices=("Rejected", "Rerouted")),
        _domain("AccessRerouteAddress", Kind.STRING, "", "Unknown Names", "Access Rerouted to", Level.EXPERT),
        _domain("CentralDirectory", Kind.ENUM, "Keep in Sync", "Directory Integration", "Directory Integration",
                choices=("Keep in Sync", "Don't Update")),
        _domain("CertificateType", Kind.ENUM, "None", "Security", "Domain PKI", Level.EXPERT,
                choices=("None", "Self-Signed", "Signed")),
        _domain("KerberosKeys", Kind.LIST, [], "Security", "Kerberos Keys", Level.EXPERT),
        _domain("RelayAddress", Kind.STRING, "", "SMTP Sending", "Send via", Level.EXPERT),
        _domain("ForceSMTPAUTH", Kind.ENUM, "nobody", "SMTP Receiving", "Force AUTH", Level.EXPERT,
                choices=FORCE_SMTP_AUTH, check=check_force_smtp_auth),
        _domain("recipientStatus", Kind.ENUM, "accept", "SMTP Receiving", "When Receiving", Level.EXPERT,
                choices=("accept", "check existence", "check and reject")),
        _domain("ServiceClasses", Kind.DICT, {}, "Classes of Service", "Classes of Service", Level.EXPERT),
        # Server administrators set the policy (no Domain Administrator right guards it).
        SettingDef(MIN_PASSWORD_LENGTH, Kind.NUMBER, 0, "Passwords", "Minimum Password Length", Level.BASIC,
                   check=check_min_password_length,
                   help="Typed passwords shorter than this are refused (0: no minimum)."),
        SettingDef(PASSWORD_COMPLEXITY, Kind.ENUM, ANY_CHARACTERS, "Passwords", "Password Characters", Level.BASIC,
                   choices=(ANY_CHARACTERS, LETTERS_DIGITS, LETTERS_DIGITS_SYMBOLS),
                   help="What every typed password must contain."),
        SettingDef("AccountsLimit", Kind.COUNT, "unlimited", "Limits", "Accounts", Level.EXPERT),
        SettingDef("ListsLimit", Kind.COUNT, "unlimited", "Limits", "Mailing Lists", Level.EXPERT),
    ],
    # CommuniGate keeps the settings it has no field for (DKIM, SecureCertificate, PrivateSecureKey,
    # CAChain, ClientIPs, CallOutTelnumSelector, ...): stored, exported and returned as sent.
    # Only server administrators change them.
    allow_custom=True,
    custom_right=None,
    effects={
        "DomainAccessModes": "mail to the domain fails without Mail; its accounts log in only to enabled services",
        "AdministratorDomainName": "that domain's administrators with CanAdminSubDomains administer this one",
        "IPAddresses": "the domain reached at these addresses (short-name logins, General page)",
        "AutoSignup": NO_EFFECT,
        "ExternalOnProvision": NO_EFFECT,
        "TrailerText": "added to the mail of the domain's accounts with AddMailTrailer (queue)",
        "WebBanner": NO_EFFECT,
        "WebSitePrefix": NO_EFFECT,
        "Foldering": "where account folders lie in the base directory",
        "FolderIndex": NO_EFFECT,
        "RenameInPlace": NO_EFFECT,
        "AllWithForwarders": NO_EFFECT,
        "MailToAllAction": NO_EFFECT,
        "ExternalOnUnknown": NO_EFFECT,
        "MailToUnknown": "mail to an unknown name is rejected, rerouted, discarded or bounced (queue)",
        "MailRerouteAddress": "where rerouted mail to unknown names goes (queue)",
        "SignalToUnknown": NO_EFFECT,
        "SignalRerouteAddress": NO_EFFECT,
        "AccessToUnknown": NO_EFFECT,
        "AccessRerouteAddress": NO_EFFECT,
        "CentralDirectory": "account changes are written to the Central Directory",
        "CertificateType": NO_EFFECT,
        "KerberosKeys": NO_EFFECT,
        "RelayAddress": NO_EFFECT,
        "ForceSMTPAUTH": NO_EFFECT,
        "recipientStatus": NO_EFFECT,
        "ServiceClasses": "the domain's Classes of Service, a layer of its accounts' settings",
        MIN_PASSWORD_LENGTH: "shorter passwords typed for the domain's accounts are refused (WebAdmin, CLI, imports)",
        PASSWORD_COMPLEXITY: "typed passwords without these characters are refused (WebAdmin, CLI, imports)",
        "AccountsLimit": "no more accounts are created in the domain beyond it (also by imports)",
        "ListsLimit": "no more mailing lists are created in the domain beyond it",
    },
)
