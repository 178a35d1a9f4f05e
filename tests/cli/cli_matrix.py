"""Matrix rows of the protocol's own verbs (tests/cli/matrix.py says how rows work)."""

from tests.cli.matrix import EVERYONE, LOGGED_IN, Row

MATRIX = {
    "NOOP": Row(ok=EVERYONE),
    "ECHO": Row("{a=(b, #1);}", ok=LOGGED_IN),
    "ListCLICommands": Row(ok=LOGGED_IN),
}
