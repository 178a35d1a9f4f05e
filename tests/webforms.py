"""Fill a page's form as a browser would: what a GET shows is what a POST sends back, so a test
changes only the fields a user would touch (and ticked "default" boxes stay ticked)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in attr:
            if tag == "select":
                self._select = None
            return
        name = attr.get("name")
        if tag == "input" and name:
            kind = attr.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attr:
                    self._tick(name, attr.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self._form[name] = attr.get("value", "")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            self._option_value = attr.get("value")
            self._option_selected = "selected" in attr
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def _tick(self, name: str, value: str) -> None:
        """A ticked box; boxes sharing a name (a checkbox grid) send a list, as a browser sends each."""
        assert self._form is not None
        if name in self._form:
            before = self._form[name]
            self._form[name] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            self._form[name] = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data
        elif self._option_value is None and self._select:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select and self._form is not None:
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            if self._select_first is None:
                self._select_first = value
            if self._option_selected and not self._select_chosen:
                self._form[self._select] = value
                self._select_chosen = True
            self._option_value = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and self._select_first is not None:
                self._form[self._select] = self._select_first
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # Browsers drop the one newline right after <textarea>, as Django's widget writes it.
            self._form[self._textarea] = self._text[1:] if self._text.startswith("\n") else self._text
            self._textarea = None


def page_forms(html: str) -> list[dict[str, str]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_with(html: str, action: str | None = None, **changes: str) -> dict[str, str]:
    """The values of the form whose hidden `action` is `action` (or the only POST-able form), with
    `changes` applied; a change of None unticks a checkbox."""
    forms = [form for form in page_forms(html) if action is None or form.get("action") == action]
    assert forms, f"no form with action={action!r} on the page"
    values = dict(forms[0])
    values.pop("csrfmiddlewaretoken", None)
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value
    return values


def main_of(response) -> str:
    """The page's own content (inside <main>), entities unescaped: what the page says, without the
    navigation and header around it."""
    import html as html_module

    text = response.content.decode()
    start, end = text.find("<main"), text.rfind("</main>")
    return html_module.unescape(text[start:end] if start >= 0 else text)
