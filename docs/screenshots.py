"""Screenshots of the calculator page for the README (``make screenshots``): the page is served
on a free loopback port and driven in Debian's headless chromium with Playwright.

docs/web_pair.png: a coupled microstrip with solder mask and etched traces solved, with its field
map, and a calculator's 100 ohm checked;
docs/web_yaml_error.png: a pasted cross-section with a mistake, shown at its line.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from fieldsolver.web.app import Settings, create_app

FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]


def main(out: str = "docs") -> None:
    folder = Path(out)
    server = uvicorn.Server(
        uvicorn.Config(create_app(Settings(workers=1)), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/"
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(180_000)
            page.goto(base)
            page.select_option("#template", "coupled_microstrip")
            for k, v in {"w": "0.2", "s": "0.2", "h": "0.17", "t": "0.035", "er": "4.3"}.items():
                page.fill(f"#p-{k}", v)
            page.check("#mask")
            page.fill("#etch", "2.5")
            page.dispatch_event("#etch", "input")
            page.wait_for_timeout(600)
            page.click("#solve")
            page.wait_for_selector("#plots img")
            page.wait_for_function("[...document.querySelectorAll('#plots img')].every(i => i.complete)")
            page.fill("#claimed1", "100")  # what a closed-form calculator said for this pair
            page.click("#check-run")
            page.wait_for_selector("#check-result p")
            page.screenshot(path=str(folder / "web_pair.png"), full_page=True)

            page.goto(base)
            page.click("#tab-yaml")
            page.select_option("#example", "usb2_diff_microstrip")
            page.wait_for_function("document.querySelector('#yaml').value.length > 100")
            text = page.input_value("#yaml").replace("er: 4.6,", "er: 4.6.1,", 1)
            page.fill("#yaml", text)
            page.wait_for_selector("#error:not([hidden])")
            page.screenshot(path=str(folder / "web_yaml_error.png"))
            browser.close()
        for name in ("web_pair.png", "web_yaml_error.png"):
            _shrink(folder / name)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _shrink(path: Path) -> None:
    """256 colours (Pillow, which matplotlib brings): a third of the size, the same to the eye."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
