"""Passwords in account.settings in the forms a CommuniGate server writes, so a base directory
restores into a CommuniGate server too, and cgadmin reads both its own forms and CommuniGate's.

CommuniGate writes a `clear` password as the text itself and marks an encrypted one with a
leading \\001 character (`Password = "\\001$6$...";`, its U-crpt): a CommuniGate server never takes a
marked value for a clear-text password. cgadmin writes every stored form that is not clear text
behind that mark (its one-way hashes, A-crpt, and crypt(3) strings, which a CommuniGate server
then checks as U-crpt), and reads back clear text, marked forms and its earlier unmarked ones."""

from __future__ import annotations

from django.contrib.auth.hashers import identify_hasher

from accounts.hashers import U_CRPT_PREFIX, foreign_scheme, is_encoded_password, recover_password
from cgadmin.errors import InvalidInput

ENCRYPTED_MARK = U_CRPT_PREFIX  # \001: CommuniGate's mark of a password that is not clear text
CLEAR_PREFIX = "clear$"


def exported_password(stored: str) -> str:
    """The Password value of account.settings for the stored form of a password."""
    if stored.startswith(CLEAR_PREFIX):
        clear = recover_password(stored)
        if clear is not None:
            return clear
    if stored.startswith(ENCRYPTED_MARK):
        return stored  # already CommuniGate's U-crpt form (kept from a restore or an import)
    return ENCRYPTED_MARK + stored


def _ours(text: str) -> bool:
    try:
        identify_hasher(text)
    except ValueError:
        return False
    return True


def stored_form_of(text: str) -> str | None:
    """The stored form a Password value of account.settings holds (marked, or an earlier unmarked
    export), or None when it is clear text, to be encoded under the account's PasswordEncryption."""
    if text.startswith(ENCRYPTED_MARK):
        rest = text[len(ENCRYPTED_MARK) :]
        if _ours(rest) or (foreign_scheme(text) is None and is_encoded_password(rest)):
            return rest  # cgadmin's own form (or another system's) behind the mark
        if foreign_scheme(text) is not None:
            return text  # CommuniGate's U-crpt: a crypt(3) string behind the mark, checked as it is
        raise InvalidInput("Password: an encrypted form this server cannot check: set the account's password "
                           "again", field="Password")
    return text if is_encoded_password(text) else None
