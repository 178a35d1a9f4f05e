"""Regular expressions that come from users run on RE2 (google-re2): its time is linear in the
text whatever the pattern, so `(a+)+b` or an IMAP pattern of many wildcards costs what a plain
search does, where Python's backtracking `re` could take minutes. RE2 has no backreferences or
lookaround; a pattern using them is refused with RE2's reason."""

from __future__ import annotations

from typing import Any

import re2

MAX_MEMORY = 8 << 20  # what one compiled pattern may use; a bigger one is refused, not built


class PatternError(ValueError):
    """Not a pattern RE2 takes; the message says why."""


def compile_pattern(pattern: str | bytes, *, multiline: bool = False, ignore_case: bool = False,
                    dot_matches_newline: bool = False) -> Any:
    """The compiled pattern (re-like: search, fullmatch, with pos/endpos); PatternError if bad."""
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    options.max_mem = MAX_MEMORY
    options.case_sensitive = not ignore_case
    options.dot_nl = dot_matches_newline
    if multiline:
        pattern = (b"(?m)" + pattern) if isinstance(pattern, bytes) else f"(?m){pattern}"
    try:
        return re2.compile(pattern, options)
    except UnicodeEncodeError:
        raise PatternError("the pattern holds characters that are not Unicode text") from None
    except re2.error as error:
        reason = error.args[0] if error.args else str(error)
        raise PatternError(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None
