"""Every kind of page passes axe-core's WCAG 2 A and AA rules (labels, landmarks, contrast, names)."""

from __future__ import annotations

from pathlib import Path

import pytest

STORY = "/stories/kazakhstan-2022"

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PAGES = [
    "/",
    f"{STORY}/timeline?as_of=2022-01-10&lens=official",
    f"{STORY}/narrative?as_of=2022-01-10&lens=official",
    f"{STORY}/compare?from=2022-01-05&to=2022-01-11&lens=official",
    f"{STORY}/topics",
    f"{STORY}/topics/death-toll",
    f"{STORY}/topics/nature-of-the-violence",
    f"{STORY}/claims/prosecutor-death-toll",
    "/sources",
    "/sources/ministry-of-information",
    "/audit?kind=retraction",
    "/search?q=164",
    "/sign-in",
]


@pytest.fixture
def axe_page(browser, live_server):
    # axe is injected as an inline script, which the pages' Content-Security-Policy rightly forbids.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_page_has_no_wcag_violations(axe_page, url, width):
    axe_page.set_viewport_size({"width": width, "height": 900})
    axe_page.goto(url)
    assert violations(axe_page) == []


def test_the_editor_form_with_errors_has_no_wcag_violations(axe_page, live_server):
    axe_page.goto("/sign-in")
    axe_page.get_by_label("Access token").fill(live_server.token)
    axe_page.get_by_role("button", name="Sign in").click()
    axe_page.goto(f"{STORY}/claims/new")
    axe_page.get_by_role("button", name="Record the claim").click()
    assert axe_page.locator("#error-summary").is_visible()
    assert violations(axe_page) == []


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}});
        return result.violations.map(v => v.id + ': ' + v.help + ' -> '
            + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return found
