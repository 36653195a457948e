"""`python build.py preview`: one area's report in the browser, rebuilt and reloaded whenever a file it depends on
is saved.

The server listens on the loopback interface only (127.0.0.1, a free port unless one is given) and serves:

- ``/``: the report (or, after a broken edit or with invalid data, a page that shows the error), with a small
  script that reloads the page when a new version is ready;
- ``/events``: server-sent events, one per new version (the page's script listens to them);
- ``/report.pdf`` (also ``/?pdf=1``): the current report printed by the renderer's warm Chromium.

watchfiles (a Rust file watcher) reports saves in `notebooks/`, the data folder and the package (its code and
templates). A change to the package's code replaces the renderer process, so new code is used; any other change
renders again on the renderer's warm kernel (`preview_worker`). Ctrl-C stops the watcher, the server and the
renderer (with its kernel and browser).
"""

from __future__ import annotations

import contextlib
import html
import logging
import multiprocessing
import signal
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from watchfiles import DefaultFilter, watch

from .jobs import PACKAGE_DIR, REPO_DIR, WorkerFunction

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
#: Milliseconds watchfiles waits for more changes before it reports a save (editors write in several steps).
DEBOUNCE_MS = 150
#: Seconds between keep-alive comments on an idle event stream.
KEEPALIVE = 15
RELOAD_SCRIPT = """<script>
(() => {
  const events = new EventSource("/events");
  let seen = null;
  events.onmessage = (message) => {
    if (seen !== null && message.data !== seen) location.reload();
    seen = message.data;
  };
})();
</script>"""
RENDERER = WorkerFunction("serve_renders", module="quartiersprofile.build.preview_worker")


@dataclass(frozen=True)
class PreviewRequest:
    """What to preview: an area (code or name), a period (None: the latest), the data folder and the template."""

    district: str
    period: str | None
    data_dir: str
    template: str
    timeout: int = 600


@dataclass
class PreviewState:
    """The page being served and its version; `changed` wakes the event streams when a new version is ready."""

    page: str = "<p>Der Bericht wird erstellt …</p>"
    version: int = 0
    ok: bool = False
    seconds: float = 0.0
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, page: str, ok: bool, seconds: float = 0.0) -> None:
        with self.changed:
            self.page, self.ok, self.seconds = page, ok, seconds
            self.version += 1
            self.changed.notify_all()


class Renderer:
    """The renderer child process and the pipe to it (see `preview_worker`); replaced when the package changes."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._process = None
        self._connection = None
        self.start()

    def start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=RENDERER, args=(child,), daemon=True, name="preview-renderer")
        self._process.start()
        child.close()
        self._connection = parent

    def restart(self) -> None:
        with self._lock:
            self.stop()
            self.start()

    def ask(self, *message) -> tuple:
        """Send one request and wait for its answer; a renderer that died is started again and reported."""
        with self._lock:
            try:
                self._connection.send(message)
                return self._connection.recv()
            except (EOFError, OSError, BrokenPipeError):
                self.stop()
                self.start()
                return ("failed", "Der Vorschau-Prozess wurde beendet und neu gestartet; bitte erneut speichern.")

    def stop(self) -> None:
        if self._process is None:
            return
        with contextlib.suppress(OSError):  # the renderer is gone already
            self._connection.send(("stop",))
        self._process.join(timeout=20)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._connection.close()
        self._process = None


def error_page(title: str, message: str) -> str:
    """The page shown instead of the report: what went wrong, in German, with the message as it was reported."""
    return (
        "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Vorschau: {html.escape(title)}</title><style>body{{font-family:'Open Sans',Arial,sans-serif;"
        "margin:2rem auto;max-width:60rem;padding:0 1rem}pre{white-space:pre-wrap;background:#fdf1ee;"
        "border-left:4px solid #d55e00;padding:1rem}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><pre class='preview-error'>{html.escape(message)}</pre>"
        "<p>Die Vorschau läuft weiter: nach dem nächsten Speichern wird der Bericht neu erstellt.</p>"
        "</body></html>"
    )


def with_reload(page: str) -> str:
    """The page with the reload script before its closing body tag."""
    marker = page.rfind("</body>")
    return page + RELOAD_SCRIPT if marker < 0 else page[:marker] + RELOAD_SCRIPT + page[marker:]


def make_handler(state: PreviewState, renderer: Renderer, stopping: threading.Event):
    """The request handler class of one preview server."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
            log.debug("%s %s", self.address_string(), format % args)

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            url = urlsplit(self.path)
            if url.path == "/events":
                self._events()
            elif url.path == "/report.pdf" or (url.path == "/" and "pdf" in parse_qs(url.query)):
                self._pdf()
            elif url.path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", with_reload(state.page).encode("utf-8"))
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"nicht gefunden")

        def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _pdf(self) -> None:
            if not state.ok:
                self._send(HTTPStatus.CONFLICT, "text/html; charset=utf-8", state.page.encode("utf-8"))
                return
            answer = renderer.ask("pdf", state.page)
            if answer[0] == "ok":
                self._send(HTTPStatus.OK, "application/pdf", answer[1])
            else:
                page = error_page("PDF konnte nicht erstellt werden", answer[1])
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", page.encode("utf-8"))

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = None
            try:
                while not stopping.is_set():
                    with state.changed:
                        if state.version == seen:
                            state.changed.wait(KEEPALIVE)
                        version = state.version
                    message = f"data: {version}\n\n" if version != seen else ": keep-alive\n\n"
                    self.wfile.write(message.encode())
                    self.wfile.flush()
                    seen = version
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def watched_paths(data_dir: Path, template: Path) -> list[Path]:
    """What a report depends on: the template notebook, the data folder and the package (code and templates)."""
    return sorted({template.resolve(), REPO_DIR / "notebooks", data_dir.resolve(), PACKAGE_DIR})


def rebuild(state: PreviewState, renderer: Renderer, request) -> None:
    """Render the request and publish the report or the error page."""
    answer = renderer.ask("render", request)
    if answer[0] == "ok":
        state.publish(answer[1], ok=True, seconds=answer[2])
        log.info("Vorschau aktualisiert (%.1f s)", answer[2])
    elif answer[0] == "invalid":
        state.publish(error_page("Ungültige Eingabe", answer[1]), ok=False)
        log.warning("Ungültige Eingabe:\n%s", answer[1])
    else:
        state.publish(error_page("Fehler im Bericht", answer[1]), ok=False)
        log.warning("Fehler im Bericht: %s", answer[1])


def watch_and_rebuild(state, renderer, request, paths: list[Path], stopping: threading.Event) -> None:
    """Render once, then again after every save; a change to the package's code restarts the renderer first."""
    rebuild(state, renderer, request)
    changes_filter = DefaultFilter(ignore_dirs=(*DefaultFilter.ignore_dirs, ".cache", ".ipynb_checkpoints", "profiles"))
    for changes in watch(*paths, watch_filter=changes_filter, debounce=DEBOUNCE_MS, step=50, stop_event=stopping,
                         raise_interrupt=False):  # fmt: skip
        changed = [Path(path) for _, path in changes]
        if any(path.suffix == ".py" and PACKAGE_DIR in path.parents for path in changed):
            log.info("Paketcode geändert: der Renderer wird neu gestartet")
            renderer.restart()
        rebuild(state, renderer, request)


def serve(request: PreviewRequest, port: int = 0) -> int:
    """Run the preview of `request` until Ctrl-C; `port` 0 takes a free port.
    Prints the address first."""
    state, stopping = PreviewState(), threading.Event()
    renderer = Renderer()
    server = ThreadingHTTPServer((HOST, port), make_handler(state, renderer, stopping))
    server.daemon_threads = True
    address = f"http://{HOST}:{server.server_address[1]}/"
    paths = watched_paths(Path(request.data_dir), Path(request.template))
    watcher = threading.Thread(
        target=watch_and_rebuild, args=(state, renderer, request, paths, stopping), daemon=True, name="preview-watch"
    )
    watcher.start()
    print(f"Vorschau von {request.district}: {address}  (PDF: {address}report.pdf; beenden mit Strg+C)", flush=True)
    # Ctrl-C (and a polite kill) end the server cleanly, also where the shell started it with SIGINT ignored.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.default_int_handler)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stopping.set()
        with state.changed:
            state.changed.notify_all()
        server.server_close()
        watcher.join(timeout=5)
        renderer.stop()
    print("Vorschau beendet.", flush=True)
    return 0
