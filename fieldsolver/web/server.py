"""Run the page: uvicorn serving :func:`.app.create_app` (``fieldsolver serve``)."""

from __future__ import annotations

import threading
import webbrowser

import uvicorn

from .app import Settings, create_app


def run(host: str, port: int, *, open_browser: bool = False, settings: Settings | None = None) -> None:
    """Serve until interrupted (Ctrl-C). ``open_browser``: open the page in the default browser."""
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    print(f"fieldsolver: serving the calculator page at {url} (Ctrl-C stops it)", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
