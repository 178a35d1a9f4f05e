"""The errors services raise. Each carries the CLI answer code (spec/cli.md) and an HTTP status,
so the CLI, the WebAdmin and manage.py report the same failure the same way."""


class CGError(Exception):
    """Base of every error a service reports to its caller."""

    code = 501
    status = 400
    default_message = "operation failed"

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        self.message = message or self.default_message
        self.field = field  # the form field or setting the error is about, when there is one
        super().__init__(self.message)


class InvalidInput(CGError):
    """Bad arguments or a bad setting value: the message names what is wrong."""

    code = 500
    default_message = "invalid input"


class GeneralError(CGError):
    code = 501


class AccessDenied(CGError):
    code = 510
    status = 403
    default_message = "not enough access rights"


class UnknownDomain(CGError):
    code = 512
    status = 404
    default_message = "unknown domain name"


class UnknownAccount(CGError):
    code = 513
    status = 404
    default_message = "unknown account name"


class LoginFailed(CGError):
    code = 515
    status = 401
    default_message = "incorrect password or account name"


class AlreadyExists(CGError):
    code = 520
    status = 409
    default_message = "account with this name already exists"


class InUse(CGError):
    code = 555
    status = 409
    default_message = "account in use"


class NotFound(CGError):
    """An object other than a domain or account (a mailbox, an alert, a file) does not exist."""

    code = 501
    status = 404
    default_message = "not found"
