"""Password storage under an account's PasswordEncryption setting.

One-way hashes (Django's current hasher) are the default. CommuniGate also allows `A-crpt`, kept
encrypted with a key only the server holds so challenge-response logins (APOP) can work, and
`clear`. Both are Django hashers here, so check_password works the same for every account."""

import base64
import hashlib
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.hashers import BasePasswordHasher, identify_hasher, make_password
from django.utils.crypto import constant_time_compare

from cgadmin.private import read_or_create_secret

PASSWORD_KEY_FILE = "password.key"


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


# PasswordEncryption values and the Django hasher each stores with ("default": the current one-way hash).
HASHER_FOR_ENCRYPTION = {"PBKDF2": "default", "A-crpt": ACryptHasher.algorithm, "clear": ClearHasher.algorithm}


def encode_password(password: str, encryption: str) -> str:
    """The stored form of a password under the account's PasswordEncryption."""
    return make_password(password, hasher=HASHER_FOR_ENCRYPTION.get(encryption, "default"))


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


def is_encoded_password(text: str) -> bool:
    """Whether the text is a stored password form a hasher recognises (pre-hashed imports)."""
    try:
        identify_hasher(text)
    except ValueError:
        return False
    return True
