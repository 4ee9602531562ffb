"""One real ``alliance-sim viz`` server and one Debian Chromium for the browser tests.

The server is started exactly as a user would start it (``python -m sim viz``) on a free
port of 127.0.0.1, once per session, and stopped at the end. Each test gets a fresh page
(a fresh model on the server) whose every network request is recorded, so a test can
fail on anything that leaves this machine or does not load.

Chromium comes from the system (``apt-get install -y chromium``), since ``playwright
install`` cannot download browsers here; ``ALLIANCE_SIM_CHROMIUM`` may name another
binary. Screenshots go to ``$ALLIANCE_SIM_ARTIFACTS`` (default ``tmp/artifacts``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "known_balance_of_threat.yaml"
CHROMIUM = os.environ.get("ALLIANCE_SIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("ALLIANCE_SIM_ARTIFACTS", ROOT / "tmp" / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def serving(scenario: Path, log_path: Path):
    """Base URL of ``alliance-sim viz SCENARIO`` started as a user would, stopped on exit."""
    port = _free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "viz", str(scenario), "--host", "127.0.0.1",
         "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            log.close()
            pytest.fail("viz server exited early:\n" + log_path.read_text())
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("viz server did not answer within 90 s")
        time.sleep(0.5)
    try:
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # the server's own process group, nothing else
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def viz_server(artifacts):
    """Base URL of a running ``alliance-sim viz`` on the known-answer scenario."""
    if not SCENARIO.is_file():
        pytest.skip(f"{SCENARIO} is missing")
    with serving(SCENARIO, artifacts / "viz_server.log") as url:
        yield url


@pytest.fixture
def serve():
    """:func:`serving`, for a test that needs a server of its own (on a scenario it edits)."""
    return serving


@pytest.fixture(scope="session")
def chromium():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Traffic:
    """Every request a page made, and the ones that failed or were refused."""

    requests: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, int]] = field(default_factory=list)

    def off_machine(self) -> list[str]:
        """Requests to anywhere but this machine (in-page blob:/data: URLs are local)."""
        out = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("blob", "data"):
                continue
            if parsed.hostname not in LOCAL_HOSTS:
                out.append(url)
        return out


@pytest.fixture
def viz_page(chromium, viz_server, artifacts, request):
    """A fresh page on the server, its traffic recorded, a screenshot saved at the end."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    traffic = Traffic()
    page.on("request", lambda r: traffic.requests.append(r.url))
    page.on("requestfailed", lambda r: traffic.failed.append((r.url, str(r.failure))))
    page.on("response", lambda r: traffic.refused.append((r.url, r.status))
            if r.status >= 400 else None)
    page.traffic = traffic
    page.goto(viz_server)
    page.get_by_text("Weights in force").wait_for(timeout=60_000)
    yield page
    try:
        page.screenshot(path=str(artifacts / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()
