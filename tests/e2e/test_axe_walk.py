"""axe-core (through axe-playwright-python) over the overview and every Master-scheme page, light and
dark: no serious or critical accessibility violation (missing labels, broken ARIA references,
duplicate ids, contrast too low, ...). One browser context per scheme, the pages of test_page_walk."""

from __future__ import annotations

import contextlib

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

from tests import factories
from tests.e2e.test_first_day import log_in
from tests.e2e.test_page_walk import prepared_pages
from tests.realms.matrix import ADMIN

pytestmark = pytest.mark.django_db(transaction=True)
BLOCKING = {"serious", "critical"}
# Issue 17 names these too: axe rates them minor or moderate or keeps them off by default, the walk fails on them
# all the same (landmark-unique: two navigation landmarks of one name, as the menu and a list's pager once were).
NAMED_RULES = {"empty-table-header", "duplicate-id", "duplicate-id-active", "duplicate-id-aria", "landmark-unique"}
OPTIONS = {"resultTypes": ["violations"], "rules": {rule: {"enabled": True} for rule in NAMED_RULES}}
# What axe leaves out: ARIA id references to no element, and repeated buttons a screen reader cannot tell
# apart (same name, different effect: another form, another target, another name=value).
OWN_CHECKS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby], [aria-controls]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls']) {
      for (const ref of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(ref)) found.push(`broken-idref: ${el.tagName.toLowerCase()}[${attr}=${ref}]`);
      }
    }
  }
  const nameOf = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent.trim() || '').join(' ');
    return (el.tagName === 'INPUT' ? el.value : el.textContent).trim().replace(/\\s+/g, ' ');
  };
  const effects = new Map();
  for (const el of document.querySelectorAll('button, input[type=submit], input[type=button], a[role=button]')) {
    if (!el.checkVisibility()) continue;
    const form = el.form;
    const effect = [el.getAttribute('formaction') || form?.getAttribute('action') || el.getAttribute('href') || '',
      el.name + '=' + el.value,
      form ? [...new FormData(form)].filter(([k]) => k !== 'csrfmiddlewaretoken').join('&') : ''].join(' ');
    const name = nameOf(el);
    if (!effects.has(name)) effects.set(name, new Set());
    effects.get(name).add(effect);
  }
  for (const [name, set] of effects) if (set.size > 1) found.push(`indistinguishable-buttons: "${name}" x${set.size}`);
  return found;
}"""


def _problems(url: str, response: dict) -> list[str]:
    """'page rule (impact): targets' for each serious or critical violation axe reported on a page."""
    found = []
    for violation in response["violations"]:
        if violation["impact"] in BLOCKING or violation["id"] in NAMED_RULES:
            targets = ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:5])
            found.append(f"{url} {violation['id']} ({violation['impact']}): {targets}")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_has_a_serious_or_critical_axe_violation(browser, live_server, personas, scheme):
    walked = prepared_pages(personas)
    axe = Axe()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Settings/General")
    problems, checked = [], 0
    for url in walked:
        try:
            page.goto(live_server.url + url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # an export (CSV, backup): a file, not a page
            raise
        assert page.locator("footer").get_by_role("button", name="Log out").count() == 1, f"{url}: logged out"
        problems += _problems(url, axe.run(page, options=OPTIONS).response)
        problems += [f"{url} {problem}" for problem in page.evaluate(OWN_CHECKS)]
        checked += 1
    context.close()

    assert checked > 40
    assert problems == [], f"{len(problems)} accessibility violations:\n" + "\n".join(problems)


def _domain_pages(personas) -> list[str]:
    """Each Domain WebAdmin page (/Domain/...) that admin@client1.test may open, its set-up made."""
    from django.db import IntegrityError, transaction
    from django.urls import reverse

    from cgadmin.errors import CGError
    from realms import pages
    from tests.realms.test_url_matrix import PATTERNS, ROWS

    found = []
    for pattern in PATTERNS:
        row = ROWS[pattern.key]
        if pattern.scheme != pages.DOMAIN_SCHEME:
            continue
        for case in row.cases("GET")[:1]:
            if ADMIN in case.ok:
                if case.setup is not None:  # another page's set-up may have made it already
                    with contextlib.suppress(CGError, IntegrityError), transaction.atomic():
                        case.setup(personas)
                args = case.args if case.args is not None else row.args
                found.append(reverse(pattern.url_name, kwargs=dict(args) or None))
    return found


def test_the_login_form_and_the_domain_webadmin_at_a_phones_width(browser, live_server, personas):
    """What the 1366-pixel walk does not see: the login form (its one-time code help), and a Domain
    Administrator's pages on a phone, where tables scroll in their box: a read-only table that scrolls
    is reachable from the keyboard (axe: scrollable-region-focusable)."""
    axe = Axe()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/Domain/")
    problems = _problems("login", axe.run(page, options=OPTIONS).response) + page.evaluate(OWN_CHECKS)
    assert page.get_by_label("One-time code").get_attribute("aria-describedby") == "id_code_helptext"
    assert "Only if you set up a second factor" in page.locator("#id_code_helptext").inner_text()

    walked = _domain_pages(personas)
    log_in(page, live_server.url, "admin@client1.test", factories.PASSWORD, "/Domain/")
    for url in walked:
        try:
            page.goto(live_server.url + url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # an export: a file, not a page
            raise
        assert page.locator("footer").get_by_role("button", name="Log out").count() == 1, f"{url}: logged out"
        problems += _problems(url, axe.run(page, options=OPTIONS).response)
        problems += [f"{url} {problem}" for problem in page.evaluate(OWN_CHECKS)]
    context.close()

    assert len(walked) > 10
    assert problems == [], f"{len(problems)} accessibility violations:\n" + "\n".join(problems)
