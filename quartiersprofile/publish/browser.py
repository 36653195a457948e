"""Headless Chromium, driven over the DevTools protocol through a pipe: load HTML, run script, print PDF.

Starting Chromium costs about a second; printing a report on an already open page about half a second. So
each process keeps one browser (`shared_browser`), started on first use and closed when the process exits.
The browser runs without network access (every host name resolves to nothing) and without a user profile
on disk; reports are self-contained HTML (images as ``data:`` URLs, system fonts), so nothing is fetched.

The Chromium binary is ``$QUARTIERSPROFILE_CHROMIUM`` or the first of `CHROMIUM_NAMES` on the ``PATH``
(Debian's package ``chromium``, which `scripts/setup.sh` installs).

Example::

    with shared_browser().open(html) as page:
        pdf = page.print_pdf(tagged=True)

This module imports only the standard library.
"""

from __future__ import annotations

import atexit
import base64
import fcntl
import json
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds one DevTools call may take (loading or printing a report takes about one).
CALL_TIMEOUT = 120.0
_FLAGS = (
    "--headless",
    "--remote-debugging-pipe",
    "--no-sandbox",  # we only load our own local reports; the sandbox needs user namespaces, often missing in CI
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no name lookups; `_BLOCKED_URLS` also stops IP addresses
    "--font-render-hinting=none",  # glyph positions independent of the screen's hinting settings
)

#: Nothing is fetched over the network, not even from an IP address: reports are self-contained.
_BLOCKED_URLS = ("http://*", "https://*", "ws://*", "wss://*", "ftp://*")


class BrowserError(RuntimeError):
    """Chromium is missing, died, or answered a DevTools call with an error or not in time."""


@cache
def chromium_executable() -> str:
    """Path of the Chromium binary to use; `BrowserError` names what to install when there is none."""
    configured = os.environ.get("QUARTIERSPROFILE_CHROMIUM", "").strip()
    for name in (configured,) if configured else CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    wanted = configured or " / ".join(CHROMIUM_NAMES)
    raise BrowserError(
        f"Chromium not found ({wanted}); it prints the PDF reports. Install it with scripts/setup.sh "
        "(Debian package 'chromium') or set QUARTIERSPROFILE_CHROMIUM to its path."
    )


@cache
def chromium_version() -> str:
    """The version line of the Chromium in use, e.g. "Chromium 156.0.8078.108 …" (part of the build fingerprint);
    "Chromium missing" without one (the build then fails only its PDF jobs)."""
    try:
        executable = chromium_executable()
    except BrowserError:
        return "Chromium missing"
    done = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.strip() or f"unknown ({executable})"


#: argv: read end, write end, program, its arguments.
_TRAMPOLINE = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); os.execv(sys.argv[3], sys.argv[3:])"
)


def _above_9(descriptor: int) -> int:
    """The same pipe end as a descriptor above 9, so that moving the other one to 3 or 4 cannot clobber it."""
    moved = fcntl.fcntl(descriptor, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(descriptor)
    return moved


class Browser:
    """One headless Chromium process with one tab, controlled through ``--remote-debugging-pipe``."""

    def __init__(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="quartiersprofile-chromium-")
        to_browser_read, self._to_browser = map(_above_9, os.pipe())
        self._from_browser, from_browser_write = map(_above_9, os.pipe())
        # Chromium reads commands on fd 3 and writes answers to fd 4. A tiny Python trampoline moves the pipe
        # ends there and then becomes Chromium (a preexec_fn would do it too, but is unsafe in threaded processes).
        command = [chromium_executable(), *_FLAGS, f"--user-data-dir={self._profile}", "about:blank"]
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _TRAMPOLINE, str(to_browser_read), str(from_browser_write), *command],
            pass_fds=(to_browser_read, from_browser_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._last_id = 0
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self.call("Page.enable", session=True)
            # The print rules make the PDF; a report's own scripts (the slides' reveal.js) must not run.
            self.call("Emulation.setScriptExecutionDisabled", {"value": True}, session=True)
            self.call("Network.enable", session=True)
            self.call("Network.setBlockedURLs", {"urls": list(_BLOCKED_URLS)}, session=True)
        except BaseException:
            self.close()
            raise

    def alive(self) -> bool:
        return self._process.poll() is None

    def call(self, method: str, params: dict | None = None, *, session: bool = False, until: str = "") -> dict:
        """Send one DevTools command and return its result; with `until`, also wait for that page event."""
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except OSError as error:
            raise BrowserError(f"Chromium is gone ({error}); {method} was not sent") from error
        deadline = time.monotonic() + CALL_TIMEOUT
        result, waiting_for_event = None, bool(until)
        while result is None or waiting_for_event:
            answer = self._receive(deadline, method)
            if answer.get("id") == self._last_id:
                if "error" in answer:
                    raise BrowserError(f"Chromium refused {method}: {answer['error'].get('message', answer['error'])}")
                result = answer.get("result", {})
            elif until and answer.get("method") == until:
                waiting_for_event = False
        return result

    def _receive(self, deadline: float, method: str) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_browser], [], [], remaining)[0]:
                self.close()
                raise BrowserError(f"Chromium did not answer {method} within {CALL_TIMEOUT:.0f} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                self.close()
                raise BrowserError(f"Chromium exited during {method}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    @contextmanager
    def open(self, html: str):
        """Load `html` in the tab (images decoded, fonts ready) and yield a `Page` for it."""
        with tempfile.TemporaryDirectory(prefix="quartiersprofile-page-") as folder:
            path = Path(folder, "report.html")
            path.write_text(html, encoding="utf-8")
            self.call("Page.navigate", {"url": path.as_uri()}, session=True, until="Page.loadEventFired")
            page = Page(self)
            page.evaluate("document.fonts.ready.then(() => true)")
            yield page

    def close(self) -> None:
        """Stop Chromium and remove its temporary profile; safe to call twice."""
        for descriptor in (self._to_browser, self._from_browser):
            with suppress(OSError):
                os.close(descriptor)
        self._to_browser = self._from_browser = -1
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)


class Page:
    """The loaded report in the browser's tab."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def evaluate(self, expression: str):
        """Run JavaScript in the page (a returned promise is awaited) and return its JSON-able value."""
        answer = self._browser.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session=True,
        )
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            raise BrowserError(f"script failed in the page: {details.get('exception', {}).get('description', details)}")
        return answer.get("result", {}).get("value")

    def print_pdf(self, *, tagged: bool) -> bytes:
        """The page printed with its own CSS page size and margins, backgrounds included; with `tagged`, a
        tagged PDF (structure tree, alt texts) with an outline from the headings."""
        answer = self._browser.call(
            "Page.printToPDF",
            {
                "printBackground": True,
                "preferCSSPageSize": True,
                "displayHeaderFooter": False,
                "generateTaggedPDF": tagged,
                "generateDocumentOutline": tagged,
            },
            session=True,
        )
        return base64.b64decode(answer["data"])


_shared: Browser | None = None
_shared_lock = threading.Lock()


def shared_browser() -> Browser:
    """This process's browser: started on first call (or after it died), closed when the process exits."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.alive():
            if _shared is not None:
                _shared.close()
            else:
                atexit.register(_close_shared)
            _shared = Browser()
        return _shared


def warm_up() -> None:
    """Start this process's browser in the background (e.g. while a worker's kernel starts). A failure is only
    logged: the first report's `shared_browser` call tries again and fails that report with the error."""

    def start() -> None:
        try:
            shared_browser()
        except Exception:  # noqa: BLE001 - reported by the job that needs the browser
            log.debug("could not start Chromium in advance", exc_info=True)

    threading.Thread(target=start, name="chromium-warm-up", daemon=True).start()


def _close_shared() -> None:
    if _shared is not None:
        _shared.close()
