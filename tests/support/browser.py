"""Pages in a real browser: Debian's Chromium driven by Playwright, against the app served on a
loopback port. The `browser` fixture (registered by conftest.py) is one Chromium for the run;
browser tests are marked `browser` (`needs_browser`), so a run can leave them out."""

import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright import sync_api
from werkzeug.serving import WSGIRequestHandler, make_server

import config
from tests.support.requirements import needs

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
FRONT_END = config.ROOT / "node_modules"
# A pushed change must show within this many milliseconds of the request that made it.
LIVE_MS = 1000
# Everything else a page does (a request, a push after it) is local and quick.
STEP_MS = 5000

needs_browser = [
    pytest.mark.browser,
    needs(CHROMIUM.exists(), "needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"),
    needs((FRONT_END / "socket.io-client").is_dir() and (FRONT_END / "chart.js").is_dir(), "needs node_modules: run `npm ci`"),
]

expect = sync_api.expect


@pytest.fixture(scope="session")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@contextmanager
def serving_pages(app):
    """The app on a loopback port for a browser, in a thread, without a line per request. A
    browser's websockets may keep a server thread a moment after the test: none is waited for."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def new_page(browser, base_url: str, page_errors: list[str], locale: str = "en-US", viewport: dict | None = None):
    """A page in a context of its own (its own cookies); uncaught errors in it go to `page_errors`."""
    context = browser.new_context(locale=locale, base_url=base_url, viewport=viewport or {"width": 1400, "height": 1000})
    context.on("page", lambda page: page.on("pageerror", lambda error: page_errors.append(str(error))))
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    return page
