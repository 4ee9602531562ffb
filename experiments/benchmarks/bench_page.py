"""Latency of the browser page (``alliance-sim viz``) as a user feels it, in Chromium.

Usage (from the repository root)::

    .venv/bin/python experiments/benchmarks/bench_page.py [--scenario PATH] [--clicks 20]
        [--screenshots DIR] [--checkout PATH]

``--checkout /work/main`` serves another checkout's page with the same browser and
clicks, for a before/after comparison on the same machine.

Starts the page exactly as a user would (``python -m sim viz SCENARIO`` on a free port of
127.0.0.1), opens it in Debian's Chromium through Playwright at 1400x1000, and then:

- clicks Step ``--clicks`` times; for each click it measures, inside the page, the time from
  the click until the page shows the new year, and until the page stops changing (the last
  change to any panel, found as the last DOM mutation before 400 ms of quiet);
- moves the "Threat: aggregate power" slider ``--clicks`` times by one key press and
  measures the time until the value the server writes in its label changes (if the page
  shows it there; the page before issue 15 did not);
- clicks Reset a few times and measures the time until the page settles.

It prints the median and the quartiles of each, in milliseconds, against the target of
250 ms (median of 20 Step clicks). The timings are the page's own ``performance.now()``,
so Playwright's round trips are not counted; the time to paint after the last change is
one animation frame more. ``--screenshots DIR`` saves the page after the Step clicks, once
at the top and once scrolled to each panel below (1400x1000 each).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ALLIANCE_SIM_CHROMIUM", "/usr/bin/chromium")
TARGET_MS = 250.0

#: In the page: click a button, then time the first sight of ``expect`` and the last change.
CLICK_AND_TIME = """async ([label, expect, quiet]) => {
    const button = [...document.querySelectorAll('button')]
        .find(b => b.textContent.trim() === label);
    if (!button) return null;
    return await new Promise(resolve => {
        let shown = null, last = null, timer = null;
        const t0 = performance.now();
        const done = () => { observer.disconnect(); resolve([shown, last]); };
        const observer = new MutationObserver(() => {
            const now = performance.now() - t0;
            last = now;
            if (shown === null && expect && document.body.innerText.includes(expect)) shown = now;
            if (expect && shown === null) return;  // a button's ripple is not the answer
            clearTimeout(timer);
            timer = setTimeout(done, quiet);
        });
        observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                         characterData: true});
        timer = setTimeout(done, 20000);
        button.click();
    });
}"""

#: In the page: get ready to time the next key press on a slider until its label changes.
ARM_SLIDER = """([label]) => {
    const field = [...document.querySelectorAll('.v-input')]
        .find(el => (el.querySelector('label') || {}).textContent?.includes(label));
    if (!field) return false;
    const shown = () => field.querySelector('label').textContent;
    const before = shown();
    window.__sliderTiming = new Promise(resolve => {
        let t0 = null;
        const observer = new MutationObserver(() => {
            if (t0 !== null && shown() !== before) {
                observer.disconnect();
                resolve(performance.now() - t0);
            }
        });
        observer.observe(field, {subtree: true, childList: true, characterData: true});
        field.addEventListener('keydown', () => { t0 = performance.now(); }, {capture: true, once: true});
        setTimeout(() => { observer.disconnect(); resolve(-1); }, 5000);
    });
    return true;
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(scenario: Path, port: int, log: Path, checkout: Path = REPO) -> subprocess.Popen:
    """``python -m sim viz`` of ``checkout`` in its own process group; returns once the page answers."""
    out = open(log, "w")
    proc = subprocess.Popen([sys.executable, "-m", "sim", "viz", str(scenario), "--port", str(port)],
                            cwd=checkout, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench_page: the viz server exited early; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop_server(proc)
    sys.exit("bench_page: the viz server did not answer within 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGINT)  # the server's own process group only
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def shown_year(page) -> int:
    import re

    return int(re.search(r"Year (\d+)", page.locator("h2.year").inner_text()).group(1))


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def report(name: str, values: list[float]) -> None:
    if not values:
        print(f"{name:<34} not measured")
        return
    q1, med, q3 = quartiles(values) if len(values) > 1 else (values[0],) * 3
    print(f"{name:<34} median {med:7.0f} ms   quartiles {q1:6.0f} - {q3:6.0f} ms   "
          f"({len(values)} samples, median/target {med / TARGET_MS:.2f})")


def time_steps(page, clicks: int) -> tuple[list[float], list[float]]:
    shown, settled = [], []
    for _ in range(clicks):
        year = shown_year(page)
        if page.get_by_role("button", name="Step").is_disabled():
            break  # the run has ended
        got = page.evaluate(CLICK_AND_TIME, ["Step", f"Year {year + 1}", 400])
        if got is None or got[0] is None:
            sys.exit(f"bench_page: the page did not show Year {year + 1} after Step")
        shown.append(got[0])
        settled.append(got[1])
    return shown, settled


def time_slider(page, presses: int) -> list[float]:
    """Key presses on a slider's thumb: the time until the server's new value is in its label."""
    label = "Threat: aggregate power"
    thumb = page.locator(".v-input", has=page.locator("label", has_text=label)).locator("[role=slider]")
    if not thumb.count():
        return []
    out = []
    for k in range(presses):
        if not page.evaluate(ARM_SLIDER, [label]):
            return []
        thumb.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
        got = page.evaluate("window.__sliderTiming")
        if got == -1:
            return []  # the label does not show the value (the page before issue 15)
        out.append(got)
        page.wait_for_timeout(150)
    return out


def save_screenshots(page, folder: Path) -> None:
    """The viewport at the top of the page, then scrolled to each panel further down."""
    folder.mkdir(parents=True, exist_ok=True)
    year = shown_year(page)
    page.screenshot(path=str(folder / f"page_{year}_top.png"))
    for panel in (".alliance-pair", ".alliance-threat"):
        found = page.locator(panel)
        if found.count():
            found.first.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            page.screenshot(path=str(folder / f"page_{year}_{panel.split('-')[-1]}.png"))
    page.evaluate("window.scrollTo(0, 0)")
    for el in page.locator(".v-main__wrap, .v-main").all():
        el.evaluate("e => e.scrollTop = 0")
    print(f"screenshots of {year}: {folder}")


def time_resets(page, times: int, start: int) -> list[float]:
    """Step once, then Reset: the time until the start year is back and the page settles."""
    out = []
    for _ in range(times):
        page.evaluate(CLICK_AND_TIME, ["Step", f"Year {start + 1}", 400])
        got = page.evaluate(CLICK_AND_TIME, ["Reset", f"Year {start}", 400])
        if got is None or got[0] is None:
            sys.exit(f"bench_page: the page did not show Year {start} after Reset")
        out.append(got[1])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=REPO / "scenarios" / "central_asia_1991_2024.yaml")
    parser.add_argument("--clicks", type=int, default=20)
    parser.add_argument("--checkout", type=Path, default=REPO,
                        help="serve the page of another checkout (e.g. main, to measure before a change)")
    parser.add_argument("--resets", type=int, default=5)
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="folder for screenshots of the page after the Step clicks")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_page_{os.getpid()}.log"
    port = free_port()
    proc = start_server(args.scenario.resolve(), port, log, args.checkout.resolve())
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator("h2.year").wait_for(timeout=90_000)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1000)
            print(f"checkout {args.checkout.resolve()}, scenario {args.scenario.name}, Chromium 1400x1000, "
                  f"{os.cpu_count()} CPUs, "
                  f"load average {os.getloadavg()[0]:.2f}")
            start = shown_year(page)
            shown, settled = time_steps(page, args.clicks)
            report("Step: new year shown", shown)
            report("Step: every panel redrawn", settled)
            if args.screenshots:
                save_screenshots(page, args.screenshots)
            report("Slider key press: value shown", time_slider(page, args.clicks))
            report("Reset: every panel redrawn", time_resets(page, args.resets, start))
            browser.close()
    finally:
        stop_server(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
