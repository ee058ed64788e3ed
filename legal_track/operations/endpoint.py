"""The health report over HTTP, from a small stdlib server thread.

Streamlit serves its own `/_stcore/health` (the web server is up) and cannot easily take
another route, so this endpoint runs beside it: in `legal-track worker --health-port N`
and in `legal-track health-server --port N`. `GET /health` (or `/`) answers the report
as JSON with 200 when healthy and 503 when not; anything else is 404. Each request runs
the checks afresh (they take milliseconds), one request at a time.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from legal_track.operations.health import HealthReport

log = logging.getLogger(__name__)
PATHS = ("/health", "/healthz", "/")


class HealthServer:
    """Serve `probe()` on `address:port` (port 0: any free port, see `port`)."""

    def __init__(self, *, probe: Callable[[], HealthReport], port: int,
                 address: str = "127.0.0.1") -> None:  # fmt: skip
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            server_version = "legal-track-health"

            def do_GET(self) -> None:  # noqa: N802  (http.server's name)
                path = self.path.split("?", 1)[0]
                if path not in PATHS:
                    self._send(HTTPStatus.NOT_FOUND, {"error": f"no such path {path}; use /health"})
                    return
                try:
                    with lock:
                        report = probe()
                except Exception as exc:  # the probe itself broke: that is unhealthy too
                    log.exception("health probe failed")
                    self._send(
                        HTTPStatus.SERVICE_UNAVAILABLE, {"healthy": False, "error": str(exc)}
                    )
                    return
                code = HTTPStatus.OK if report.healthy else HTTPStatus.SERVICE_UNAVAILABLE
                self._send(code, report.as_dict())

            def _send(self, code: HTTPStatus, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                log.debug("health %s - %s", self.address_string(), format % args)

        self._server = ThreadingHTTPServer((address, port), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host = self._server.server_address[0]
        return f"http://{host}:{self.port}/health"

    def start(self) -> HealthServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="legal-track-health", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
