"""The approval page in a real browser: Debian's headless Chromium (driven by chromedriver through
Selenium) against the Lambda handler served locally with API Gateway HTTP API (v2) event payloads,
while the real failover state machine waits in step 0 under moto's Step Functions.

No skips: when Chromium or chromedriver is missing, these tests fail (bin/setup installs them).
Screenshots land in build/test-artifacts/approval-page/ (gitignored), one per page seen.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from failover import approval_store, handlers
from failover.approval import reject_execution
from tests.failover import approval_world
from tests.failover.machine import ONCALL, Run, started_and_waiting

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=390,844")
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts" / "approval-page"
MAX_WRONG = 3


class _ApiGateway(BaseHTTPRequestHandler):
    """Turns each HTTP request into an API Gateway HTTP API payload 2.0 event for the Lambda handler."""

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path = self.path.split("?", 1)[0]
        approval_id = path[3:] if path.startswith("/a/") else ""
        event = {
            "version": "2.0", "routeKey": f"{self.command} /a/{{id}}", "rawPath": path, "rawQueryString": "",
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "pathParameters": {"id": approval_id} if approval_id else {},
            "requestContext": {"http": {"method": self.command, "path": path, "protocol": "HTTP/1.1",
                                        "sourceIp": self.client_address[0],
                                        "userAgent": self.headers.get("user-agent", "")}},
            "body": body, "isBase64Encoded": False,
        }
        result = handlers.approval_page(event, None)
        self.send_response(result["statusCode"])
        for key, value in result["headers"].items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(result["body"].encode())

    do_GET = do_POST = do_HEAD = _serve  # noqa: N815 - http.server's names

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run bin/setup as root (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page_world(tokyo: Any, route_lambdas: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Tokyo's moto world plus the approval table and PIN, the page served on loopback, step 0 waiting."""
    ddb, ssm = boto3.client("dynamodb"), boto3.client("ssm")
    approval_world.create_table(ddb)
    approval_world.set_pin(ssm)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ApiGateway)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for key, value in {"APPROVAL_PAGE_URL": base, "APPROVAL_TABLE": approval_world.TABLE,
                       "APPROVAL_PIN_PARAMETER": approval_world.PIN_PARAMETER,
                       "APPROVAL_MAX_WRONG_PINS": str(MAX_WRONG)}.items():
        monkeypatch.setenv(key, value)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    run = started_and_waiting(tokyo, route_lambdas)
    notes = tokyo.notifications()
    link = re.search(re.escape(base) + r"/a/[A-Za-z0-9_-]+", notes[0]["Message"])
    assert link, f"no approval link in {notes[0]['Message']!r}"
    try:
        yield {"run": run, "link": link.group(0), "ddb": ddb, "base": base, "message": notes[0]["Message"]}
    finally:
        if run.sfn.describe_execution(executionArn=run.arn)["status"] == "RUNNING":
            try:
                reject_execution(run.sfn, run.arn, ONCALL, "test cleanup")
            except Exception:  # noqa: BLE001 - already decided
                pass
        run.finish()
        server.shutdown()
        server.server_close()


def _shot(driver: Any, name: str) -> None:
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _submit(driver: Any, *, name: str = "Kim Oncall", pin: str | None = approval_world.PIN,
            button: str = "approve") -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "name").clear()
    driver.find_element(By.ID, "name").send_keys(name)
    if pin is not None:
        driver.find_element(By.ID, "pin").send_keys(pin)
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    pressed = driver.find_element(By.CSS_SELECTOR, f"button[value={button}]")
    pressed.click()
    # The POST answers with a new page: wait until the old one is gone, so the next lookup never
    # finds an element of the page being replaced (StaleElementReferenceException under load).
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(pressed))


def _text(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "body").text)


def _approval_output(run: Run) -> dict[str, Any]:
    events = run.sfn.get_execution_history(executionArn=run.arn, maxResults=1000)["events"]
    for e in events:
        if e["type"] == "TaskSucceeded" and "approved" in e["taskSucceededEventDetails"].get("output", ""):
            payload = json.loads(e["taskSucceededEventDetails"]["output"])
            return dict(payload.get("Payload", payload))
    raise AssertionError("no approval output in the history")


def test_browser_approve_records_name_ip_and_browser_and_the_failover_proceeds(
    browser: Any, page_world: dict[str, Any], healthy_tokyo_http: Any
) -> None:
    browser.get(page_world["link"])
    _shot(browser, "approve-1-get")
    text = _text(browser)
    assert "Fail MegaTicket over to Tokyo?" in text and "MegaTicket-Primary-HealthCheck-Alarm" in text
    assert "expires at" in text
    _submit(browser)
    _shot(browser, "approve-2-decided")
    assert "Failover approved" in _text(browser)
    described = page_world["run"].finish(60)
    assert described["status"] == "SUCCEEDED"
    output = _approval_output(page_world["run"])
    assert output["approved"] is True and output["by"] == "Kim Oncall"
    assert output["source_ip"] == "127.0.0.1" and "Chrome" in output["user_agent"]


def test_browser_reject_ends_the_run_rejected(browser: Any, page_world: dict[str, Any]) -> None:
    browser.get(page_world["link"])
    _submit(browser, button="reject")
    _shot(browser, "reject-decided")
    assert "Failover rejected" in _text(browser)
    run = page_world["run"]
    run.finish(30)
    assert "FailoverRejected" in run.states_entered()


def test_browser_wrong_pin_is_refused_and_the_right_one_then_works(browser: Any, page_world: dict[str, Any]) -> None:
    browser.get(page_world["link"])
    _submit(browser, pin="000000", button="reject")
    _shot(browser, "wrong-pin")
    assert f"Wrong PIN. {MAX_WRONG - 1} attempts left" in _text(browser)
    assert page_world["run"].sfn.describe_execution(executionArn=page_world["run"].arn)["status"] == "RUNNING"
    _submit(browser, button="reject")
    assert "Failover rejected" in _text(browser)


def test_browser_lockout_after_max_wrong_pins_even_for_the_right_pin(browser: Any, page_world: dict[str, Any]) -> None:
    browser.get(page_world["link"])
    for _ in range(MAX_WRONG):
        _submit(browser, pin="999999")
    _shot(browser, "lockout")
    assert "Link locked" in _text(browser)
    browser.get(page_world["link"])
    assert "Link locked" in _text(browser)
    run = page_world["run"]
    assert run.sfn.describe_execution(executionArn=run.arn)["status"] == "RUNNING"


def test_browser_expired_link_shows_a_clear_page(browser: Any, page_world: dict[str, Any]) -> None:
    ddb = page_world["ddb"]
    [item] = ddb.scan(TableName=approval_world.TABLE)["Items"]
    ddb.update_item(TableName=approval_world.TABLE, Key={approval_store.KEY: item[approval_store.KEY]},
                    UpdateExpression="SET expires_at = :past", ExpressionAttributeValues={":past": {"N": "1"}})
    browser.get(page_world["link"])
    _shot(browser, "expired")
    text = _text(browser)
    assert "Link expired" in text and "Traceback" not in text


def test_browser_reused_link_shows_used(browser: Any, page_world: dict[str, Any]) -> None:
    browser.get(page_world["link"])
    form_url = browser.current_url
    _submit(browser, button="reject")
    browser.get(form_url)
    _shot(browser, "reused")
    assert "Link already used" in _text(browser)


def test_get_only_scanner_never_decides(browser: Any, page_world: dict[str, Any]) -> None:
    for _ in range(3):
        browser.get(page_world["link"])
    _shot(browser, "scanner")
    for method in ("GET", "HEAD"):
        with urllib.request.urlopen(urllib.request.Request(page_world["link"], method=method)) as r:  # noqa: S310
            assert r.status == 200
    run = page_world["run"]
    assert run.sfn.describe_execution(executionArn=run.arn)["status"] == "RUNNING"
    [item] = page_world["ddb"].scan(TableName=approval_world.TABLE)["Items"]
    assert item["status"]["S"] == "pending" and "decision" not in item
