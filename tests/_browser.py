"""A small headless-Chromium harness for the browser tests (stdlib only).

Chromium is driven through the DevTools protocol over ``--remote-debugging-pipe`` (messages
are NUL-terminated JSON on file descriptors 3 and 4), so no driver and no Python dependency
is needed: only Debian's ``chromium`` package (``/usr/bin/chromium``).

Every http(s) request is blocked (``Network.setBlockedURLs``), so a page that needs the
internet fails here as it would on a closed network, and the failure shows as a console
error. :func:`open_page` loads a local file, waits until a JavaScript condition holds, and
returns the value of a probe expression together with every console error, uncaught
exception and failed resource load of the page.

:func:`find_chromium` returns the binary or ``None``; :func:`require_chromium` skips a test
without it, unless ``ESC_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes it a failure, like
``ESC_REQUIRE_RAW`` for the real data.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--mute-audio", "--hide-scrollbars")
BLOCKED = ["http://*", "https://*", "ws://*", "wss://*"]


def find_chromium() -> str | None:
    """Path of the Chromium binary (``$ESC_CHROMIUM``, ``chromium``, ``chromium-browser``)."""
    for name in (os.environ.get("ESC_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):
        if name and (found := shutil.which(name)):
            return found
    return None


def require_chromium() -> str:
    """The Chromium binary; skip without it, or fail when ``ESC_REQUIRE_BROWSER=1``."""
    found = find_chromium()
    if found is None:
        reason = "chromium not found (Debian: apt-get install chromium)"
        if os.environ.get("ESC_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; ESC_REQUIRE_BROWSER=1 makes the browser test mandatory")
        pytest.skip(reason)
    return found


@dataclass
class Page:
    """What a page showed: the probe's value, its errors, and every event seen."""

    value: Any
    errors: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def _onto_3_and_4(read_end: int, write_end: int) -> None:
    """In the child: Chromium reads commands on fd 3 and writes answers on fd 4."""
    import fcntl

    high_r, high_w = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (read_end, write_end))
    os.dup2(high_r, 3)
    os.dup2(high_w, 4)


class Browser:
    """One headless Chromium process spoken to over the DevTools pipe."""

    def __init__(self, binary: str, *, timeout: float = 60.0,
                 extra_flags: tuple[str, ...] = ()) -> None:
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="esc-chromium-")
        to_chrome_r, self._out = os.pipe()
        self._in, from_chrome_w = os.pipe()
        self.proc = subprocess.Popen(
            [binary, *FLAGS, *extra_flags, f"--user-data-dir={self._profile.name}",
             "--remote-debugging-pipe", "about:blank"],
            pass_fds=(3, 4), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=lambda: _onto_3_and_4(to_chrome_r,
                                                                       from_chrome_w))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Ask Chromium to quit, then end the process and remove its profile."""
        try:
            self._write({"id": -1, "method": "Browser.close"})
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        for fd in (self._in, self._out):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._profile.cleanup()

    def _write(self, message: dict[str, Any]) -> None:
        os.write(self._out, json.dumps(message).encode() + b"\0")

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise RuntimeError(f"chromium exited ({self.proc.poll()})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        """Send one command and return its result; events seen meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method,
                                   "params": params or {}}
        if session:
            message["sessionId"] = session
        self._write(message)
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def evaluate(self, expression: str, session: str) -> Any:
        """The JSON value of ``expression`` in the page (promises awaited)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True}, session)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page error in probe: {result['exceptionDetails']}")
        return result["result"].get("value")


def _errors(events: list[dict[str, Any]], session: str) -> list[str]:
    """Console errors, uncaught exceptions and failed loads among ``events`` of one page."""
    found = []
    urls = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in events
            if e.get("method") == "Network.requestWillBeSent"}
    for event in events:
        if event.get("sessionId") != session:
            continue
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            found.append("exception: " + str(details.get("exception", {}).get(
                "description", details.get("text"))))
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            found.append("console.error: " + " ".join(
                str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            found.append(f"log: {entry['text']} {entry.get('url', '')}".strip())
        elif method == "Network.loadingFailed":
            found.append(f"load failed: {urls.get(params['requestId'], '?')} "
                         f"{params.get('errorText')} {params.get('blockedReason', '')}".strip())
    return found


def open_page(browser: Browser, path: Path | str, *, ready: str, probe: str,
              hover: str | None = None, timeout: float = 30.0,
              blocked: list[str] | None = None) -> Page:
    """Load ``path`` in a new tab with the network blocked, wait for ``ready``, run ``probe``.

    ``path`` is a local file, or a URL string; ``blocked`` the URL patterns refused
    (default :data:`BLOCKED`, every http(s) and ws(s) request).

    ``ready`` and ``probe`` are JavaScript expressions; ``ready`` is polled every 0.2 s
    until true (a :class:`TimeoutError` after ``timeout`` seconds names it). ``hover``, if
    given, is an expression giving ``[x, y]`` in CSS pixels where the mouse is moved (a real
    input event) before the probe runs.
    """
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget",
                           {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Network.setBlockedURLs",
                 {"urls": BLOCKED if blocked is None else blocked}, session)
    url = path if isinstance(path, str) else path.resolve().as_uri()
    name = url.rsplit("/", 1)[-1]
    browser.send("Page.navigate", {"url": url}, session)
    deadline = time.monotonic() + timeout
    while not browser.evaluate(f"document.readyState === 'complete' && Boolean({ready})",
                               session):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name}: not ready after {timeout} s: {ready}; "
                               f"errors: {_errors(browser.events, session)}")
        time.sleep(0.2)
    if hover:
        x, y = browser.evaluate(hover, session)
        for dx in (-2, 0):  # two moves: a move onto the mark, as a mouse does
            browser.send("Input.dispatchMouseEvent",
                         {"type": "mouseMoved", "x": x + dx, "y": y}, session)
        time.sleep(0.5)
    value = browser.evaluate(probe, session)
    time.sleep(0.3)  # late console messages of the last render
    browser.evaluate("1", session)  # collect the events queued meanwhile
    page = Page(value, _errors(browser.events, session),
                [e for e in browser.events if e.get("sessionId") == session])
    browser.send("Target.closeTarget", {"targetId": target})
    return page


def screenshot(browser: Browser, url: str, target_png: Path, *, width: int = 1200,
               height: int = 900, ready: str = "true", timeout: float = 30.0) -> Path:
    """Write a PNG of ``url`` (``width`` x ``height`` CSS pixels) to ``target_png``."""
    import base64

    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget",
                           {"targetId": target, "flatten": True})["sessionId"]
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                 session)
    browser.send("Page.enable", session=session)
    browser.send("Page.navigate", {"url": url}, session)
    deadline = time.monotonic() + timeout
    while not browser.evaluate(f"document.readyState === 'complete' && Boolean({ready})",
                               session):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}: not ready after {timeout} s")
        time.sleep(0.2)
    data = browser.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
    target_png.write_bytes(base64.b64decode(data))
    browser.send("Target.closeTarget", {"targetId": target})
    return target_png
