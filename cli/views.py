"""The CLI over HTTP: `POST /CLI/` (or `GET /CLI/?command=...`, as CommuniGate's HTTP clients send
it) on the WebAdmin port with HTTP Basic authentication and a `command` field; the body of the
answer is the line the TCP transport would send (`201 data`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cli.dispatch import SYNTAX, execute
from realms import pages
from realms.auth import client_address
from realms.middleware import unauthorized


def _text(line: str, status: int = 200) -> HttpResponse:
    return HttpResponse(f"{line}\r\n", status=status, content_type="text/plain; charset=utf-8")


# CSRF-exempt because only HTTP Basic credentials are accepted here, never the session cookie: a
# browser on another site cannot make a request carry Basic credentials it does not know, so there
# is no ambient authority to forge. Scripts (curl, the vendor's HTTP CLI clients) have no CSRF token.
@csrf_exempt
@pages.authenticated
@require_http_methods(["GET", "POST"])
def cli_http(request: HttpRequest) -> HttpResponse:
    """Run one command line as the account of the Basic credentials."""
    if not getattr(request, "cg_basic", False):
        return unauthorized("CLI")
    command = (request.POST if request.method == "POST" else request.GET).get("command")
    if command is None:
        return _text(f"{SYNTAX} the command field is missing", status=400)
    line = command.rstrip("\r\n")
    if "\n" in line or "\r" in line:
        return _text(f"{SYNTAX} one command line only")
    if "\x00" in line:
        return _text(f"{SYNTAX} a command line may not contain NUL characters")
    answer = execute(line, actor=request.user, peer=client_address(request))  # type: ignore[arg-type]
    return _text(answer.line())
