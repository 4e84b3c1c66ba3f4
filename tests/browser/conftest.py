"""A live chronicle server loaded with the Kazakhstan fixture, and Debian's chromium driven by Playwright.

The server is ``chronicle serve`` in a subprocess, on a free port, over a temporary
CHRONICLE_DATA. Without chromium (or Playwright) the browser tests skip locally, but fail
when CI is set: CI must run them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from chronicle.bootstrap import open_chronicle, open_tokens
from chronicle.config import Settings
from chronicle.loader import load_chronicle

ROOT = Path(__file__).resolve().parents[2]
KAZAKHSTAN = ROOT / "fixtures" / "kazakhstan-2022"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class LiveServer:
    url: str
    token: str


def _missing() -> str | None:
    """Why the browser tests cannot run here, if they cannot."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser():
    """Headless chromium; skipped without it locally, a failure without it in CI."""
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(browser, tmp_path_factory) -> LiveServer:
    """``chronicle serve`` on a free port, with the fixture loaded and a writing token for the editor tests."""
    data = tmp_path_factory.mktemp("live") / "data"
    settings = Settings(data_dir=data, editor="fixture-loader")
    chronicle = open_chronicle(settings)
    with chronicle.editing_as("fixture-loader"):
        load_chronicle(chronicle, KAZAKHSTAN)
    chronicle.view.close()
    chronicle.close()
    token = open_tokens(settings).create("browser-editor")
    port = _free_port()
    command = [sys.executable, "-c", "from chronicle.cli import main; main()", "serve", "--port", str(port)]
    env = {**os.environ, "CHRONICLE_DATA": str(data), "CHRONICLE_EDITOR": "fixture-loader"}
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, server)
        yield LiveServer(url, token)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chronicle serve exited with {server.returncode}:\n{server.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"chronicle serve did not answer on {url} within {timeout}s")


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) at desktop size.

    The test fails on a script error, a refused asset (a CSP violation) or a stylesheet, script
    or image that did not load; a page answered with 400 on purpose (a refused form) is fine.
    """
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(message.text)
           if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    tab.on("response", lambda response: errors.append(f"{response.status} {response.url}")
           if response.status >= 400 and response.request.resource_type != "document" else None)
    yield tab
    context.close()
    assert not errors, f"the page reported errors: {errors}"


@pytest.fixture
def shoot():
    """Save a full-page screenshot at desktop and at phone width under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab, name: str) -> None:
        for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
            tab.set_viewport_size(size)
            tab.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        tab.set_viewport_size(DESKTOP)

    return take


@pytest.fixture
def signed_in(page, live_server):
    """The page, signed in as the browser-editor token."""
    page.goto("/sign-in")
    page.get_by_label("Access token").fill(live_server.token)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as browser-editor").wait_for()
    return page
