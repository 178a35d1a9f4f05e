"""A CLI client that speaks exactly as the vendor's Perl module CGP::CLI does on the wire, written
from its wire format (not a copy of its code), so the suite keeps the Perl clients' calls as tests:

- it reads the greeting and, when it carries a `<...>` challenge, logs in with APOP only (lower-case
  hex MD5 of the challenge and the password) and never falls back; then it sends INLINE;
- lines end in a bare LF; account and domain names go unquoted, as the caller wrote them;
- after login its strings are written without escaping quotes or backslashes (the module's
  "translate strings" mode is off): a value with anything but letters and digits goes between
  quotes as it is, control characters as \\nnn, dictionary keys sorted, `undef` as #NULL#;
- answers are `NNN text` lines; a 201 carries the data, read back with `\\"` and `\\\\` kept as two
  characters and `\\nnn` decoded, as the module does in that mode."""

from __future__ import annotations

import hashlib
import re
import socket
from typing import Any

_CHALLENGE = re.compile(r"(<.*@*>)")
_ANSWER = re.compile(r"^(\d+)\s(.*)$", re.DOTALL)
_WORD_CHAR = re.compile(r"[-a-zA-Z0-9\x80-\U0010ffff_.@!#%:]")


class PerlWireClient:
    """One session, opened and logged in as the Perl module does in `new`."""

    def __init__(self, port: int, login: str, password: str, *, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.reader = self.sock.makefile("rb")
        self.code = 0
        self.message = ""
        self.data: str | None = None
        greeting = self._read_answer()
        challenge = _CHALLENGE.search(self.message) if greeting else None
        if challenge is None:
            raise ConnectionError(f"no APOP challenge in the greeting: {self.message!r}")
        digest = hashlib.md5((challenge.group(1) + password).encode()).hexdigest()
        self.connected = self.command(f"APOP {login} {digest}")
        if self.connected:
            self.command("INLINE")

    # --- the module's wire primitives ---------------------------------------------------------

    def send(self, line: str) -> None:
        self.sock.sendall((line + "\n").encode("utf-8"))

    def _read_answer(self) -> bool:
        raw = self.reader.readline().decode("utf-8")
        found = _ANSWER.match(raw)
        if found is None:
            self.code, self.message, self.data = 10000, raw, None
            return False
        self.code = int(found.group(1))
        rest = found.group(2).rstrip("\n").rstrip("\r")
        self.data, self.message = (rest, "OK") if self.code == 201 else (None, rest)
        return self.ok

    @property
    def ok(self) -> bool:
        return self.code in (200, 201)

    def command(self, line: str) -> bool:
        self.send(line)
        return self._read_answer()

    def query(self, line: str) -> Any:
        """A command whose answer is data: the data read back, or None (the module's undef)."""
        if not self.command(line):
            return None
        if self.data is None:  # 200 without INLINE data: the module would read more lines
            raise AssertionError(f"{line!r} answered {self.code} {self.message} without inline data")
        return read_words(self.data)

    # --- the calls a control-panel plug-in makes ------------------------------------------------

    def CreateDomain(self, name: str, settings: dict | None = None) -> bool:
        return self.command(f"CreateDomain {name}" + (f" {print_words(settings)}" if settings else ""))

    def GetDomainSettings(self, name: str) -> Any:
        return self.query(f"GetDomainSettings {name}")

    def UpdateDomainSettings(self, name: str, settings: dict) -> bool:
        return self.command(f"UpdateDomainSettings {name} {print_words(settings)}")

    def CreateAccount(self, name: str, settings: dict | None = None) -> bool:
        return self.command(f"CreateAccount {name}" + (f" {print_words(settings)}" if settings is not None else ""))

    def DeleteAccount(self, name: str) -> bool:
        return self.command(f"DeleteAccount {name}")

    def ListAccounts(self, domain: str) -> Any:
        return self.query(f"ListAccounts {domain}")

    def GetAccountSettings(self, name: str) -> Any:
        return self.query(f"GetAccountSettings {name}")

    def UpdateAccountSettings(self, name: str, settings: dict) -> bool:
        return self.command(f"UpdateAccountSettings {name} {print_words(settings)}")

    def SetAccountPassword(self, name: str, password: str) -> bool:
        return self.command(f"SetAccountPassword {name} TO {print_words(password)}")

    def VerifyAccountPassword(self, name: str, password: str) -> bool:
        return self.command(f"VerifyAccountPassword {name} PASSWORD {print_words(password)}")

    def GetAccountInfo(self, name: str, key: str) -> Any:
        return self.query(f"GetAccountInfo {name} Key {print_words(key)}")

    def ListMailboxes(self, name: str, filter: str | None = None, auth: str | None = None) -> Any:
        line = f"ListMailboxes {name}"
        if filter is not None:
            line += f" FILTER {print_words(filter)}"
        if auth is not None:
            line += f" AUTH {auth}"
        return self.query(line)

    def CreateMailbox(self, name: str, mailbox: str) -> bool:
        return self.command(f"CreateMailbox {name} MAILBOX {print_words(mailbox)}")

    def Logout(self) -> None:
        self.command("QUIT")
        self.sock.close()


def print_words(value: Any) -> str:
    """A value as the module writes it with string translation off."""
    if value is None:
        return "#NULL#"
    if isinstance(value, dict):
        return "{" + "".join(f"{print_words(key)}={print_words(value[key])};" for key in sorted(value)) + "}"
    if isinstance(value, list | tuple):
        return "(" + ",".join(print_words(item) for item in value) + ")"
    text = str(value)
    if text == "" or re.search(r"[\W_]", text, re.ASCII):
        return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda char: f"\\{ord(char.group()):03d}", text) + '"'
    return text


def read_words(text: str) -> Any:
    """Data as the module reads it with string translation off."""
    return _Reader(text).value()


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _at(self, char: str) -> bool:
        return self.text.startswith(char, self.pos)

    def value(self) -> Any:
        self._skip()
        if self._at("{"):
            self.pos += 1
            return self._dictionary()
        if self._at("("):
            self.pos += 1
            return self._array()
        return self._word()

    def _dictionary(self) -> dict:
        result = {}
        while self.pos < len(self.text):
            self._skip()
            if self._at("}"):
                self.pos += 1
                break
            key = self._word()
            self._skip()
            if self._at("="):
                self.pos += 1
            result[key] = self.value()
            self._skip()
            if self._at(";"):
                self.pos += 1
        return result

    def _array(self) -> list:
        result = []
        while self.pos < len(self.text):
            self._skip()
            if self._at(")"):
                self.pos += 1
                break
            result.append(self.value())
            self._skip()
            if self._at(","):
                self.pos += 1
        return result

    def _word(self) -> str:
        self._skip()
        if self._at('"'):
            return self._quoted()
        start = self.pos
        if self._at("["):
            self.pos = self.text.index("]", self.pos) + 1
            return self.text[start : self.pos]
        while self.pos < len(self.text) and _WORD_CHAR.match(self.text[self.pos]):
            self.pos += 1
        return self.text[start : self.pos]

    def _quoted(self) -> str:
        self.pos += 1
        out = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and re.match(r'["\\]|\d\d\d', self.text[self.pos + 1 : self.pos + 4]):
                following = self.text[self.pos + 1 : self.pos + 4]
                if following[:1] in '"\\':
                    out.append("\\" + following[0])  # kept escaped, as the module keeps it
                    self.pos += 2
                else:
                    out.append(chr(int(following)))
                    self.pos += 4
                continue
            if char == '"':
                self.pos += 1
                self._skip()
                if self._at('"'):  # "ab" "cd" is one string
                    self.pos += 1
                    continue
                break
            out.append(char)
            self.pos += 1
        return "".join(out)
