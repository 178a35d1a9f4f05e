"""axe-core (through axe-playwright-python) over the overview and every Master-scheme page, light and
dark: no serious or critical accessibility violation (missing labels, broken ARIA references,
duplicate ids, contrast too low, ...). One browser context per scheme, the pages of test_page_walk."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

from tests import factories
from tests.e2e.test_first_day import log_in
from tests.e2e.test_page_walk import prepared_pages

pytestmark = pytest.mark.django_db(transaction=True)
BLOCKING = {"serious", "critical"}
# Issue 17 names these too: axe rates them minor or keeps them off by default, the walk fails on them all the same.
NAMED_RULES = {"empty-table-header", "duplicate-id", "duplicate-id-active", "duplicate-id-aria"}
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
