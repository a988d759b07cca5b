"""Drive lesson 5 in headless Chromium (run by tests/test_browser.py in its own process, so that the test
process never holds Playwright's threads when later tests fork workers).

    python tests/browser_drive.py URL CHROMIUM SCREENSHOT
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def main(url: str, chromium: str, screenshot: str) -> int:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url)
            optimal = page.locator("#corrig-optimal")
            optimal.filter(has_text="optimal: grab").wait_for(timeout=180_000)
            slider = page.get_by_role("slider").first  # K, the first slider of the lesson
            print("before:", slider.get_attribute("aria-valuenow"), optimal.inner_text())
            slider.focus()
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            optimal.filter(has_text="optimal: patient").wait_for(timeout=180_000)
            print("after:", slider.get_attribute("aria-valuenow"), optimal.inner_text())
            page.screenshot(path=screenshot, full_page=True)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
