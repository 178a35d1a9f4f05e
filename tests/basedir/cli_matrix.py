"""Matrix rows of the basedir app's CLI verbs (tests/cli/matrix.py says how rows work)."""

from accounts.selectors import find_account
from tests.basedir.tree import write_account
from tests.cli.matrix import CLIENT1_WRITERS, Row


def _with_files(personas) -> None:
    write_account(find_account("client1.test", "user"))


MATRIX = {
    "ClearAccountCache": Row("user@client1.test", ok=CLIENT1_WRITERS, setup=_with_files),
}
