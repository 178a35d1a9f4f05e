"""Reading the WebAdmin (issue 17 item 2): the log viewer keeps dates, times and tokens whole and names
levels; Problems rows, texts and field borders meet WCAG AA contrast in light and dark; read-only
fields look read-only. Measured in a real browser at a laptop's and a phone's width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from logs import serverlog
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = "ACCOUNT(127.0.0.1)"

# The contrast of an element's text with the background behind it, and of a field's border with
# the panel around it (WCAG 2 relative luminance; transparent layers are looked through).
CONTRAST_JS = """
([selector, what]) => {
  const rgb = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const backdrop = element => {
    for (let node = element; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length === 3 || color[3] > 0) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  return [...document.querySelectorAll(selector)].map(element => {
    const style = getComputedStyle(element, what === "placeholder" ? "::placeholder" : null);
    if (what === "border") {
      return Math.min(ratio(rgb(style.borderTopColor), backdrop(element.parentElement)),
                      ratio(rgb(style.borderTopColor), backdrop(element)));
    }
    return ratio(rgb(style.color), backdrop(element));
  });
}
"""

# How many lines each match of the token takes in the record texts.
TOKEN_LINES_JS = """
token => {
  const found = [];
  for (const cell of document.querySelectorAll("table.log-records td.text")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(token);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at); range.setEnd(node, at + token.length);
      found.push(new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size);
    }
  }
  return found;
}
"""

ONE_LINE_JS = """
selector => [...document.querySelectorAll(selector)].filter(cell => cell.textContent.trim()).map(cell => {
  const range = document.createRange(); range.selectNodeContents(cell);
  return [cell.textContent.trim(), new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size];
}).filter(([text, lines]) => lines > 1)
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_log_viewer_reads_well_at_both_widths(browser, live_server, personas, monkeypatch, scheme):
    monkeypatch.setenv(serverlog.ENV_LOG_ALL, "1")
    for index in range(3):
        serverlog.log("SMTP", serverlog.PROBLEMS, f"problem {index}: {TOKEN} failed with a long reason " * 3,
                      session=123456, peer="127.0.0.1")
        serverlog.log("SYSTEM", serverlog.MAJOR, f"record {index} {TOKEN}", peer="127.0.0.1")
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page: Page = context.new_page()
        log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Monitors/Logs")
        records = page.locator("table.log-records tbody tr")
        problems = page.locator("table.log-records tr.level-3")
        assert problems.count() >= 3 and records.count() >= 6
        assert problems.first.locator("td.level").inner_text() == "Problems"  # the name, not the digit 3
        assert page.locator("table.log-records td.level", has_text="Major").count() >= 3

        assert page.evaluate(ONE_LINE_JS, "table.log-records td.when, table.log-records td.level, "
                                          "table.log-records td.head, .log-files td.when") == []
        assert set(page.evaluate(TOKEN_LINES_JS, TOKEN)) == {1}, f"{TOKEN} broken at {width}px"

        for selector in ("table.log-records tr.level-3 td", "table.log-records tr.level-2 td", "main label",
                         "main .hint", "main th", "nav.pages a"):
            worst = min(page.evaluate(CONTRAST_JS, [selector, "text"]))
            assert worst >= 4.5, f"{selector}: {worst:.2f}:1 ({scheme}, {width}px)"
        borders = page.evaluate(CONTRAST_JS, ["main input[type=text], main select, main input[type=datetime-local]",
                                              "border"])
        assert borders and min(borders) >= 3, f"field borders {min(borders):.2f}:1 ({scheme})"
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
        context.close()


def test_read_only_fields_look_read_only(browser, live_server, personas):
    """A Domain Administrator sees the settings it may not change without a field's background, with a
    dashed border and no text cursor; those it may change look like fields."""
    factories.make_account(personas.client1, "jane")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page: Page = context.new_page()
    log_in(page, live_server.url, "admin@client1.test", factories.PASSWORD,
           "/Domain/Domains/client1.test/Accounts/jane")
    style = "el => { const s = getComputedStyle(el); return [s.borderTopStyle, s.backgroundColor, s.cursor]; }"
    fixed = page.get_by_label("Mail Storage (read-only)", exact=True)
    assert fixed.is_disabled()
    border, background, cursor = fixed.evaluate(style)
    assert (border, cursor) == ("dashed", "not-allowed") and background == "rgba(0, 0, 0, 0)"
    editable = page.get_by_label("Real Name", exact=True)
    assert editable.is_enabled() and editable.evaluate(style)[0] == "solid"
    context.close()


def test_a_fields_help_sits_under_it_on_a_phone(browser, live_server, personas):
    """Not its first word beside the field and the rest below (Master -> Access Rights' Account)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page: Page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Master/Rights")
    field = page.get_by_label("Account", exact=True)
    help_text = page.locator("#id_account_helptext")
    assert help_text.bounding_box()["y"] >= field.bounding_box()["y"] + field.bounding_box()["height"]
    assert help_text.bounding_box()["x"] <= page.locator("label[for=id_account]").bounding_box()["x"] + 1
    context.close()


OVERLAPS = """() => {
  const found = [];
  const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (const row of document.querySelectorAll('[data-setting]')) {
    const parts = [...row.children].filter((el) => el.checkVisibility() && el.getClientRects().length);
    for (const part of parts) {  // a word wider than its box runs out of it, over its neighbour
      const text = part.textContent.trim().slice(0, 20);
      if (part.scrollWidth > part.clientWidth + 1) found.push(`${row.dataset.setting}: ${text} sticks out`);
    }
    for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
      if (meets(parts[i].getBoundingClientRect(), parts[j].getBoundingClientRect())) {
        const names = [parts[i], parts[j]].map((el) => el.textContent.trim().slice(0, 20));
        found.push(`${row.dataset.setting}: ${names.join(' / ')}`);
      }
    }
  }
  return found;
}"""


@pytest.mark.parametrize("language", ["Russian", "German"])
def test_a_settings_name_badge_control_and_default_switch_never_overlap_on_a_phone(browser, live_server, personas,
                                                                                 language):
    """Long names (Включённые службы (только чтение)) once ran under the source badge at 390 px."""
    from accounts.services import account_update_prefs

    factories.make_account(personas.client1, "jane")
    for admin in (personas.domain_admin_with_right, personas.postmaster):
        account_update_prefs(actor=None, account=admin, updates={"Language": language})
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page: Page = context.new_page()
    log_in(page, live_server.url, "admin@client1.test", factories.PASSWORD, "/Domain/Domains/client1.test/Settings")
    assert page.locator("[data-setting]").count() > 3
    assert page.evaluate(OVERLAPS) == []
    context.close()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/client1.test/Accounts/jane")
    assert page.locator("[data-setting]").count() > 3
    assert page.evaluate(OVERLAPS) == []
    context.close()


ONE_LINE = """(selector) => [...document.querySelectorAll(selector)].filter((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
  return lines.size > 1;
}).map((el) => el.textContent)"""


@pytest.mark.parametrize("language", ["English", "German"])
def test_the_audit_trail_keeps_dates_times_and_event_names_whole_at_1366(browser, live_server, personas, language):
    """Once '2026-12-' / '06' and 'account.settin' / 'gs'; an event breaks only at its dots."""
    from accounts.services import account_update_prefs, account_update_webadmin_prefs

    account_update_webadmin_prefs(actor=None, account=personas.postmaster, updates={"InterfaceType": "Expert"})
    account_update_prefs(actor=None, account=personas.postmaster, updates={"Language": language})
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page: Page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Monitors/Audit")
    cells = page.get_by_role("table").locator("tbody tr")
    assert cells.count() > 5
    assert page.get_by_role("table").locator("time").count() == cells.count()
    assert page.evaluate(ONE_LINE, "table.audit time .date") == []
    assert page.evaluate(ONE_LINE, "table.audit time .clock") == []
    events = page.evaluate("() => [...document.querySelectorAll('table.audit tbody tr td:nth-child(4)')]"
                           ".map((td) => td.innerText)")
    assert "account.settings" in {event.replace("\n", "") for event in events}
    assert all(len(line) > 3 for event in events for line in event.split("\n"))  # no 'gs' left alone
    context.close()
