"""What a domain or account name may be, with errors that say what is wrong."""

import re

from cgadmin.errors import InvalidInput

MAX_DOMAIN_LENGTH = 253
MAX_LABEL_LENGTH = 63
MAX_ACCOUNT_NAME_LENGTH = 64  # RFC 5321's limit on the local part of an address
_ASCII_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_ACCOUNT_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9_])?$")
# Names with a meaning of their own in a domain: mail to all@ goes to every account.
RESERVED_ACCOUNT_NAMES = frozenset({"all"})


def normalize_domain_name(name: str, *, allow_idn: bool, what: str = "domain name") -> str:
    """The domain name in lower-case Unicode, or InvalidInput saying why it is not one.

    The Main Domain Name may not hold national symbols; secondary domains and aliases may (IDN)."""
    text = (name or "").strip().rstrip(".").lower()
    if not text:
        raise InvalidInput(f"the {what} is empty", field="name")
    if not text.isascii() and not allow_idn:
        raise InvalidInput(f"the {what} {name!r} has national symbols, which are not allowed here", field="name")
    labels = [_ascii_label(label, name, what) for label in text.split(".")]
    ascii_form = ".".join(labels)
    if len(ascii_form) > MAX_DOMAIN_LENGTH:
        raise InvalidInput(f"the {what} is longer than {MAX_DOMAIN_LENGTH} characters", field="name")
    try:
        unicode_form = ascii_form.encode("ascii").decode("idna")
    except UnicodeError:
        raise InvalidInput(f"{name!r} is not a valid {what}", field="name")
    return unicode_form


def _ascii_label(label: str, name: str, what: str) -> str:
    """One dot-separated part in its DNS (punycode) form, checked."""
    if not label:
        raise InvalidInput(f"the {what} {name!r} has an empty part between dots", field="name")
    if not label.isascii():
        try:
            label = label.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidInput(f"{name!r} is not a valid {what}: a part cannot be encoded for DNS", field="name")
    _check_label(label, name, what)
    return label


def _check_label(label: str, name: str, what: str) -> None:
    if len(label) > MAX_LABEL_LENGTH:
        raise InvalidInput(f"a part of the {what} {name!r} is longer than {MAX_LABEL_LENGTH}", field="name")
    if not _ASCII_LABEL.match(label):
        raise InvalidInput(
            f"the {what} {name!r} may hold only letters, digits and inner hyphens", field="name"
        )


def normalize_account_name(name: str, *, what: str = "account name") -> str:
    """The account name in lower case, or InvalidInput saying why it is not one."""
    text = (name or "").strip().lower()
    if not text:
        raise InvalidInput(f"the {what} is empty", field="name")
    if len(text) > MAX_ACCOUNT_NAME_LENGTH:
        raise InvalidInput(f"the {what} is longer than {MAX_ACCOUNT_NAME_LENGTH} characters", field="name")
    if not _ACCOUNT_NAME.match(text):
        raise InvalidInput(
            f"the {what} {name!r} may hold only letters, digits, dots, hyphens and underscores, "
            "and must start with a letter or digit",
            field="name",
        )
    if ".." in text:
        raise InvalidInput(f"the {what} {name!r} has two dots in a row", field="name")
    if text in RESERVED_ACCOUNT_NAMES:
        raise InvalidInput(f"{text!r} is a reserved name", field="name")
    return text


def lookup_domain_key(name: str) -> str:
    """A name as the database stores it, for lookups; never raises (a bad name just matches nothing)."""
    text = (name or "").strip().rstrip(".").lower()
    if text.startswith("xn--") or ".xn--" in text:
        try:
            return text.encode("ascii").decode("idna")
        except UnicodeError:
            return text
    return text


MAX_ADDRESS_LENGTH = 320
_ADDRESS = re.compile(r"^[^\s@<>(),;:\\\"\[\]]+(?:@[^\s@<>(),;:\\\"\[\]]+)?$")


def normalize_address(text: str, *, what: str = "address", field: str = "address") -> str:
    """An E-mail address as a forwarder target or a group member (`name` in the object's own domain,
    or `name@domain`), stripped; InvalidInput saying why when it is not one."""
    address = (text or "").strip()
    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1].strip()
    if not address:
        raise InvalidInput(f"the {what} is empty", field=field)
    if len(address) > MAX_ADDRESS_LENGTH:
        raise InvalidInput(f"the {what} is longer than {MAX_ADDRESS_LENGTH} characters", field=field)
    if not _ADDRESS.match(address) or address.endswith("@") or address.startswith("@"):
        raise InvalidInput(f"the {what} {text!r} is not an E-mail address (name or name@domain)", field=field)
    return address
