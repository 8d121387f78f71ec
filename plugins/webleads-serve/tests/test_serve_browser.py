"""The portal in a real browser: Debian's headless Chromium driven by Selenium through
Debian's chromedriver, the codes read from a real SMTP server on loopback.

The opt-out test saves its screenshots under docs/serve/ (linked from docs/serve.md).
Chromium comes from scripts/services.sh (``make test`` runs it); without it these tests
fail, they are not skipped.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[3]
SHOTS = REPO / "docs" / "serve"
CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"


def make_browser(lang: str) -> webdriver.Chrome:
    assert Path(CHROMIUM).exists() and Path(DRIVER).exists(), (
        "Debian's chromium and chromium-driver are needed: run scripts/services.sh")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="webleads-chromium-")  # a fresh, empty profile each time
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-sync", "--disable-extensions",
                "--disable-component-update", "--disable-quic", "--no-first-run",
                f"--user-data-dir={profile}", "--window-size=1000,900", f"--lang={lang}"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": lang})
    # a loaded 2-core CI machine sometimes loses the first chromium start: try again, twice
    for attempt in range(3):
        try:
            return webdriver.Chrome(options=opts, service=Service(executable_path=DRIVER))
        except WebDriverException:
            if attempt == 2:
                raise
            time.sleep(1)


@pytest.fixture
def browser():
    b = make_browser("en-GB,en")
    b.set_page_load_timeout(30)
    yield b
    b.quit()


@pytest.fixture
def browser_fr():
    b = make_browser("fr-FR,fr")
    b.set_page_load_timeout(30)
    yield b
    b.quit()


def click_and_wait(b, button_id):
    """Click a submit button and wait until the next page replaced this one and is loaded
    (staleness alone can come before the new document is parsed on a loaded machine)."""
    # a mark on this page's window: the next document does not have it.  (Waiting for an
    # element of this page to go stale can instead fail with "Node with given id does not
    # belong to the document" when Chromium swaps documents mid-call.)
    b.execute_script("window.__webleadsOldPage = true;")
    b.find_element(By.ID, button_id).click()
    WebDriverWait(b, 15, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return !window.__webleadsOldPage && document.readyState === 'complete'"))


def shot(b, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    b.save_screenshot(str(SHOTS / name))


def test_optout_in_a_browser(site, browser):
    email = "jane.okafor@northwind-logistics.example"
    b = browser
    b.get(site.url + "/")
    assert "Your data and webleads" in b.title
    b.find_element(By.ID, "optout-identifier").send_keys(email)
    shot(b, "optout-1-start.png")
    click_and_wait(b, "optout-submit")
    assert "Check your messages" in b.find_element(By.TAG_NAME, "h1").text
    code = site.smtp.code_for(email)
    b.find_element(By.ID, "code").send_keys(code)
    shot(b, "optout-2-code.png")
    click_and_wait(b, "confirm")
    assert b.find_element(By.ID, "done").text == "Done"
    shot(b, "optout-3-done.png")
    with site.store() as store:
        assert store.match(email) == []
        assert store.requests()[-1]["kind"] == "objection"


def test_access_request_in_french(site, browser_fr):
    email = "jane.okafor@northwind-logistics.example"
    b = browser_fr
    b.get(site.url + "/")
    assert b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    b.find_element(By.ID, "access-identifier").send_keys(email)
    click_and_wait(b, "access-submit")
    assert "Consultez vos messages" in b.find_element(By.TAG_NAME, "h1").text
    b.find_element(By.ID, "code").send_keys(site.smtp.code_for(email))
    click_and_wait(b, "confirm")
    assert "Ce qui est détenu sur vous" in b.find_element(By.ID, "access-report").text
    rows = b.find_elements(By.CSS_SELECTOR, "table tr")
    assert len(rows) > 3 and any("Jane Okafor" in r.text for r in rows)
    shot(b, "access-report-fr.png")
    href = b.find_element(By.ID, "download-json").get_attribute("href")
    b.get(href.replace("/download/", "/download/")[: href.rfind("/") + 1] + "forged.json")
    assert b.find_element(By.ID, "error") is not None


def test_a_form_without_its_csrf_cookie_is_refused(site, browser):
    b = browser
    b.get(site.url + "/")
    b.delete_all_cookies()
    b.find_element(By.ID, "optout-identifier").send_keys("a@unknown-company.example")
    click_and_wait(b, "optout-submit")
    assert b.find_element(By.ID, "error").get_attribute("data-reason") == "csrf.invalid"
    assert site.smtp.count() == 0
