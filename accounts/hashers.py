"""Password storage under an account's PasswordEncryption setting.

The default is a one-way Argon2id hash (argon2-cffi) with the cost the settings give (at least
OWASP's minimum). PBKDF2 and scrypt hashes of older versions keep working and are replaced by the
account's current form at its next successful login (needs_rehash). CommuniGate also allows `A-crpt`,
kept encrypted with a key only the server holds so challenge-response logins (APOP) can work, and
`clear`. Both are Django hashers here, so check_password works the same for every account.

Stored forms of other mail systems (Dovecot's `{SCHEME}...`, bare crypt(3) strings, CommuniGate's
U-crpt) are kept as given when an import or a restore brings them, and verified by libpass,
bcrypt or argon2-cffi (foreign_scheme, verify_stored)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    BasePasswordHasher,
    get_hasher,
    identify_hasher,
    make_password,
)
from django.contrib.auth.hashers import check_password as django_check_password
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import constant_time_compare

from cgadmin.private import read_or_create_secret

PASSWORD_KEY_FILE = "password.key"

# OWASP Password Storage Cheat Sheet: Argon2id configurations of equal strength, as the least memory
# (KiB) for a number of passes with one lane; more passes than 5 need no more than 5 do.
OWASP_ARGON2_MIN_MEMORY = {1: 47104, 2: 19456, 3: 12288, 4: 9216, 5: 7168}


def argon2_cost() -> tuple[int, int, int]:
    """(memory KiB, passes, lanes) from the settings, refused below OWASP's minimum."""
    memory = int(settings.PASSWORD_ARGON2_MEMORY_KIB)
    passes = int(settings.PASSWORD_ARGON2_TIME_COST)
    lanes = int(settings.PASSWORD_ARGON2_PARALLELISM)
    least = OWASP_ARGON2_MIN_MEMORY[min(max(passes, 1), 5)]
    if passes < 1 or lanes < 1 or memory < least:
        raise ImproperlyConfigured(
            f"PASSWORD_ARGON2_MEMORY_KIB={memory} with PASSWORD_ARGON2_TIME_COST={passes} is below OWASP's "
            f"minimum for Argon2id ({least} KiB for {max(passes, 1)} pass(es))")
    return memory, passes, lanes


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id with the cost of the settings; a hash made with another cost is upgraded at login."""

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        return argon2_cost()[0]

    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return argon2_cost()[1]

    @property
    def parallelism(self) -> int:  # type: ignore[override]
        return argon2_cost()[2]


def _password_key() -> bytes:
    """The A-crpt key: from CGADMIN_PASSWORD_KEY, else made once and kept in the state folder."""
    if settings.PASSWORD_KEY:
        return base64.urlsafe_b64encode(hashlib.sha256(settings.PASSWORD_KEY.encode()).digest())
    return read_or_create_secret(Path(settings.CGADMIN_STATE_DIR) / PASSWORD_KEY_FILE, Fernet.generate_key)


class ACryptHasher(BasePasswordHasher):
    """Reversible: encrypted with the server's key (CommuniGate's A-crpt)."""

    algorithm = "A-crpt"

    def salt(self) -> str:
        return ""

    def encode(self, password: str, salt: str) -> str:
        token = Fernet(_password_key()).encrypt(password.encode()).decode("ascii")
        return f"{self.algorithm}${token}"

    def decode(self, encoded: str) -> dict:
        algorithm, token = encoded.split("$", 1)
        return {"algorithm": algorithm, "salt": "", "token": token}

    def reveal(self, encoded: str) -> str | None:
        try:
            return Fernet(_password_key()).decrypt(self.decode(encoded)["token"].encode()).decode()
        except (InvalidToken, ValueError):
            return None

    def verify(self, password: str, encoded: str) -> bool:
        clear = self.reveal(encoded)
        return clear is not None and constant_time_compare(password, clear)

    def safe_summary(self, encoded: str) -> dict:
        return {"algorithm": self.algorithm}

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass


class ClearHasher(BasePasswordHasher):
    """Clear text, when an administrator chooses it (the WebAdmin warns)."""

    algorithm = "clear"

    def salt(self) -> str:
        return ""

    def encode(self, password: str, salt: str) -> str:
        return f"{self.algorithm}${password}"

    def decode(self, encoded: str) -> dict:
        algorithm, clear = encoded.split("$", 1)
        return {"algorithm": algorithm, "salt": "", "clear": clear}

    def verify(self, password: str, encoded: str) -> bool:
        return constant_time_compare(password, self.decode(encoded)["clear"])

    def safe_summary(self, encoded: str) -> dict:
        return {"algorithm": self.algorithm}

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass


# PasswordEncryption values and the Django hasher each stores with ("default": the first of
# PASSWORD_HASHERS, Argon2id in production).
HASHER_FOR_ENCRYPTION = {
    "Argon2id": "default",
    "PBKDF2": "pbkdf2_sha256",
    "A-crpt": ACryptHasher.algorithm,
    "clear": ClearHasher.algorithm,
}


def hasher_for(encryption: str) -> BasePasswordHasher:
    """The Django hasher that stores passwords under a PasswordEncryption value."""
    return get_hasher(HASHER_FOR_ENCRYPTION.get(str(encryption), "default"))


def is_one_way(encryption: str) -> bool:
    """Whether a PasswordEncryption is a one-way hash (costly by design), not A-crpt or clear."""
    return not isinstance(hasher_for(encryption), ACryptHasher | ClearHasher)


def encode_password(password: str, encryption: str) -> str:
    """The stored form of a password under the account's PasswordEncryption."""
    return make_password(password, hasher=hasher_for(encryption))


def recover_password(encoded: str) -> str | None:
    """The clear password when the stored form allows it (A-crpt or clear), else None (APOP needs it)."""
    try:
        hasher = identify_hasher(encoded)
    except ValueError:
        return None
    if isinstance(hasher, ClearHasher):
        return hasher.decode(encoded)["clear"]
    if isinstance(hasher, ACryptHasher):
        return hasher.reveal(encoded)
    return None


# --- stored forms of other mail systems ---------------------------------------------------------

U_CRPT_PREFIX = "\x01"  # CommuniGate's account.settings: U-crpt (the system's crypt(3)) follows


@dataclass(frozen=True)
class ForeignScheme:
    """How one family of foreign stored forms is recognised and checked."""

    name: str
    prefix: str  # the Dovecot scheme, a crypt(3) identifier, or CommuniGate's U-crpt mark
    libpass: str  # the passlib.hash handler that verifies what follows a Dovecot prefix


# Dovecot's schemes (doveadm pw -s NAME): the prefix, then the scheme's own string.
DOVECOT_SCHEMES = (
    ForeignScheme("SHA512-CRYPT", "{SHA512-CRYPT}", "sha512_crypt"),
    ForeignScheme("SHA256-CRYPT", "{SHA256-CRYPT}", "sha256_crypt"),
    ForeignScheme("BLF-CRYPT", "{BLF-CRYPT}", "bcrypt"),
    ForeignScheme("ARGON2ID", "{ARGON2ID}", "argon2"),
    ForeignScheme("ARGON2I", "{ARGON2I}", "argon2"),
    ForeignScheme("SSHA512", "{SSHA512}", "ldap_salted_sha512"),
    ForeignScheme("SSHA256", "{SSHA256}", "ldap_salted_sha256"),
    ForeignScheme("SSHA", "{SSHA}", "ldap_salted_sha1"),
    ForeignScheme("PLAIN", "{PLAIN}", "plaintext"),
    ForeignScheme("CRYPT", "{CRYPT}", "crypt"),  # whatever crypt(3) made: DES, $1$, $5$, $6$, $2y$
)
# Bare crypt(3) and PHC strings, as PostfixAdmin, Modoboa, mailcow and iRedMail keep them.
CRYPT_IDENTIFIERS = {"$1$": "md5_crypt", "$5$": "sha256_crypt", "$6$": "sha512_crypt", "$2a$": "bcrypt",
                     "$2b$": "bcrypt", "$2y$": "bcrypt", "$argon2id$": "argon2", "$argon2i$": "argon2"}


def _crypt_handler(text: str) -> str | None:
    """The passlib handler of a crypt(3) string: by its identifier, or traditional DES (13 chars)."""
    for identifier, handler in CRYPT_IDENTIFIERS.items():
        if text.startswith(identifier):
            return handler
    if len(text) == 13 and all(c.isalnum() or c in "./" for c in text):
        return "des_crypt"
    return None


def foreign_scheme(encoded: str) -> tuple[str, str, str] | None:
    """(scheme name, passlib handler, the string it checks) for a stored form of another system."""
    if encoded.startswith(U_CRPT_PREFIX):
        handler = _crypt_handler(encoded[1:])
        return ("U-crpt", handler, encoded[1:]) if handler else None
    if encoded.startswith("{"):
        upper = encoded.upper()
        for scheme in DOVECOT_SCHEMES:
            if upper.startswith(scheme.prefix):
                rest = encoded[len(scheme.prefix):]
                if scheme.libpass.startswith("ldap_"):  # libpass reads these with their prefix
                    return scheme.name, scheme.libpass, scheme.prefix + rest
                handler = _crypt_handler(rest) if scheme.libpass == "crypt" else scheme.libpass
                return (scheme.name, handler, rest) if handler else None
        return None
    handler = _crypt_handler(encoded) if encoded.startswith("$") else None
    return (encoded.split("$")[1], handler, encoded) if handler else None


@cache
def _libpass(handler: str):
    import passlib.hash

    return getattr(passlib.hash, handler)


def _verify_foreign(password: str, handler: str, text: str) -> bool:
    if handler == "plaintext":
        return constant_time_compare(password, text)
    try:
        return bool(_libpass(handler).verify(password, text))
    except (ValueError, TypeError):  # a malformed string, or a password bcrypt cannot take (> 72 bytes)
        return False


def malformed_stored_form(text: str) -> str | None:
    """Why a string that starts like another system's stored form cannot be one (None: it can)."""
    foreign = foreign_scheme(text)
    if foreign is None or foreign[1] == "plaintext":
        return None
    try:
        _libpass(foreign[1]).from_string(foreign[2])
    except (ValueError, TypeError) as error:
        return f"not a valid {foreign[0]} stored password ({error})"
    return None


def is_encoded_password(text: str) -> bool:
    """Whether the text is a stored password form (ours or another system's) that can be checked."""
    if foreign_scheme(text) is not None:
        return True
    try:
        identify_hasher(text)
    except ValueError:
        return False
    return True


def verify_stored(password: str, encoded: str) -> bool:
    """Whether the password matches a stored form, ours or another system's."""
    foreign = foreign_scheme(encoded)
    if foreign is not None:
        return _verify_foreign(password, foreign[1], foreign[2])
    return django_check_password(password, encoded)


@cache
def _dummy_hash(algorithm: str) -> str:
    """A hash of nothing anyone types, made once per process with the default hasher."""
    return make_password("cgadmin-timing-equalizer", hasher=algorithm)


def _is_default_hash(encoded: str | None) -> bool:
    if not encoded or foreign_scheme(encoded) is not None:
        return False
    try:
        return identify_hasher(encoded).algorithm == get_hasher("default").algorithm
    except ValueError:
        return False


def verify_login_password(password: str, encoded: str | None) -> bool:
    """A login's password check, costing one verification of the default hash whatever the account:
    an unknown name (None), an A-crpt, clear or unusable password and a foreign form each pay a
    dummy one, so the answer's time tells nothing about the name (issue 16.8)."""
    default = get_hasher("default")
    if encoded is not None and _is_default_hash(encoded):
        return default.verify(password, encoded)
    default.verify(password, _dummy_hash(default.algorithm))
    return encoded is not None and verify_stored(password, encoded)


def needs_rehash(encoded: str, encryption: str) -> bool:
    """After a successful login: is the stored form not what the account's PasswordEncryption would
    make now (a foreign form, PBKDF2 or scrypt under Argon2id, an Argon2id of a lower cost)?"""
    if foreign_scheme(encoded) is not None:
        return True
    try:
        current = identify_hasher(encoded)
    except ValueError:
        return False
    wanted = hasher_for(encryption)
    return current.algorithm != wanted.algorithm or wanted.must_update(encoded)
