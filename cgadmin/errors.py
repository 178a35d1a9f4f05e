"""The errors services raise. Each carries the CLI answer code (spec/cli.md) and an HTTP status,
so the CLI, the WebAdmin and manage.py report the same failure the same way.

The CLI answers the failures that clients test for with CommuniGate's own text, word for word
(ANSWERS below, the one table of them): a control-panel plug-in compares the text of a duplicate
CreateAccount with `account with this name already exists`, and on any other text its clean-up
path deletes the account that was already there. The detailed message (which right was missing,
which name) stays for the WebAdmin, manage.py and the CLI's log line."""

from __future__ import annotations

# Answer texts of a CommuniGate Pro server (its CLI/API and PWD module), compared by clients.
UNKNOWN_COMMAND = "unknown command"
NOT_ENOUGH_RIGHTS = "not enough access rights"
UNKNOWN_DOMAIN = "unknown domain name"
UNKNOWN_ACCOUNT = "unknown user account"
WRONG_PASSWORD = "incorrect password or account name"
ACCOUNT_EXISTS = "account with this name already exists"
DOMAIN_EXISTS = "domain with this name already exists"
MAILBOX_EXISTS = "mailbox with this name already exists"
ACCOUNT_IN_USE = "account in use"
UNKNOWN_LIST = "unknown mailing list"
LIST_EXISTS = "mailing list with this name already exists"


class CGError(Exception):
    """Base of every error a service reports to its caller."""

    code = 501
    status = 400
    default_message = "operation failed"
    cli_text: str | None = None  # CommuniGate's fixed answer text, when clients test for this failure

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        self.message = message or self.default_message
        self.field = field  # the form field or setting the error is about, when there is one
        super().__init__(self.message)

    @property
    def cli_answer(self) -> str:
        """The text after the code in a CLI answer: CommuniGate's, or the detailed message."""
        return self.cli_text or self.message


class InvalidInput(CGError):
    """Bad arguments or a bad setting value: the message names what is wrong."""

    code = 500
    default_message = "invalid input"


class GeneralError(CGError):
    code = 501


class AccessDenied(CGError):
    code = 510
    status = 403
    default_message = NOT_ENOUGH_RIGHTS
    cli_text = NOT_ENOUGH_RIGHTS


class UnknownDomain(CGError):
    code = 512
    status = 404
    default_message = UNKNOWN_DOMAIN
    cli_text = UNKNOWN_DOMAIN


class UnknownAccount(CGError):
    code = 513
    status = 404
    default_message = UNKNOWN_ACCOUNT
    cli_text = UNKNOWN_ACCOUNT


class LoginFailed(CGError):
    code = 515
    status = 401
    default_message = WRONG_PASSWORD
    cli_text = WRONG_PASSWORD


class AlreadyExists(CGError):
    """A name is taken (directory records, restored files, ...); the CLI answers the message."""

    code = 520
    status = 409
    default_message = "an object with this name already exists"


class AccountExists(AlreadyExists):
    """An account or account alias of that name exists in the domain."""

    default_message = ACCOUNT_EXISTS
    cli_text = ACCOUNT_EXISTS


class DomainExists(AlreadyExists):
    """A domain or domain alias of that name exists."""

    default_message = DOMAIN_EXISTS
    cli_text = DOMAIN_EXISTS


class MailboxExists(AlreadyExists):
    """The account already has a mailbox of that name."""

    default_message = MAILBOX_EXISTS
    cli_text = MAILBOX_EXISTS


class UnknownList(CGError):
    """No mailing list of that name in the domain."""

    code = 513
    status = 404
    default_message = UNKNOWN_LIST
    cli_text = UNKNOWN_LIST


class ListExists(AlreadyExists):
    """A mailing list of that name exists in the domain."""

    default_message = LIST_EXISTS
    cli_text = LIST_EXISTS


class InUse(CGError):
    code = 555
    status = 409
    default_message = ACCOUNT_IN_USE
    cli_text = ACCOUNT_IN_USE


class NotFound(CGError):
    """An object other than a domain or account (a mailbox, an alert, a file) does not exist."""

    code = 501
    status = 404
    default_message = "not found"


# The one table of the answers clients match on: (what happened, code, CommuniGate's text).
ANSWERS: tuple[tuple[str, int, str], ...] = (
    ("unknown command", 500, UNKNOWN_COMMAND),
    ("not enough access rights", AccessDenied.code, NOT_ENOUGH_RIGHTS),
    ("unknown domain", UnknownDomain.code, UNKNOWN_DOMAIN),
    ("unknown account", UnknownAccount.code, UNKNOWN_ACCOUNT),
    ("wrong name or password (login, VerifyAccountPassword)", LoginFailed.code, WRONG_PASSWORD),
    ("account or account alias exists", AccountExists.code, ACCOUNT_EXISTS),
    ("domain or domain alias exists", DomainExists.code, DOMAIN_EXISTS),
    ("mailbox exists", MailboxExists.code, MAILBOX_EXISTS),
    ("account in use", InUse.code, ACCOUNT_IN_USE),
    ("unknown mailing list", UnknownList.code, UNKNOWN_LIST),
    ("mailing list exists", ListExists.code, LIST_EXISTS),
)
