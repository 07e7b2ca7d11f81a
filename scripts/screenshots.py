"""Take screenshots of the main pages (desktop and phone) from a running dondoc.

Usage: .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 OUT_DIR
Logs in as the demo accounts (DONDOC_DEMO_PASSWORD) with Debian's chromium.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from dondoc.browser_support import CHROMIUM, CHROMIUM_ARGS

PASSWORD = os.environ.get("DONDOC_DEMO_PASSWORD", "dondoc-demo-2026")
PAGES = [
    # (account, path, name)
    (None, "/accounts/login/", "login"),
    ("canbo", "/", "home-officer"),
    ("canbo", "/tasks/mine/", "my-tasks"),
    ("thammuu", "/", "home-staff"),
    ("thammuu", "/units/", "unit-tree"),
    ("thammuu", "/users/", "user-list"),
    ("thammuu", "/documents/", "documents"),
    ("thammuu", "/tasks/?status=in_progress_overdue", "tasks-overdue"),
    ("thammuu", "/audit/", "audit"),
]


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    extra = [arg for arg in sys.argv[3:]]
    pages = PAGES + [tuple(item.split(",")) for item in extra]  # account,path,name
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height, suffix in ((1366, 900, "desktop"), (360, 780, "phone")):
            sessions: dict[str | None, object] = {}
            for account, path, name in pages:
                if account not in sessions:
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    if account:
                        page.goto(f"{base}/accounts/login/")
                        page.fill("#id_username", account)
                        page.fill("#id_password", PASSWORD)
                        page.click("main button[type=submit]")
                        page.wait_for_load_state("networkidle")
                    sessions[account] = page
                page = sessions[account]  # type: ignore[assignment]
                page.goto(f"{base}{path}")  # type: ignore[attr-defined]
                page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
                page.screenshot(path=str(out / f"{name}-{suffix}.png"), full_page=True)  # type: ignore[attr-defined]
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
