"""Drive a course notebook in headless Chromium (run by tests/test_browser.py in its own process, so that the
test process never holds Playwright's threads when later tests fork workers).

    python tests/browser_drive.py URL CHROMIUM SCREENSHOT LESSON

LESSON names a drive of DRIVES: which slider to move, which key to press how often, the optimal set the
page must show before and after, and (lesson 9) the exact point it must then name.
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

# lesson 5: K (the first slider) from 1 across K* to 5/2; lesson 9: σ (the second slider) from 1 to 7/10;
# lesson 10: p from 1/2 down eight steps (0.4, 0.3, 0.2, 0.1, 0.05, 0.04, 0.03) to 0.02, below 2/71
DRIVES = {
    "lesson5": {"slider": 0, "key": "ArrowRight", "presses": 3, "before": "optimal: grab", "after": "optimal: patient"},
    "lesson9": {"slider": 1, "key": "ArrowLeft", "presses": 3, "before": "optimal: wait", "after": "optimal: act",
                "point": "μ = 1/2, σ = 7/10, β = 2."},
    "lesson10": {"slider": 0, "key": "ArrowLeft", "presses": 8, "before": "optimal: button path",
                 "after": "optimal: short path", "point": "p = 1/50."},
}


def main(url: str, chromium: str, screenshot: str, lesson: str) -> int:
    drive = DRIVES[lesson]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url)
            optimal = page.locator("#corrig-optimal")
            optimal.filter(has_text=drive["before"]).wait_for(timeout=180_000)
            slider = page.get_by_role("slider").nth(drive["slider"])
            print("before:", slider.get_attribute("aria-valuenow"), optimal.inner_text())
            slider.focus()
            for _ in range(drive["presses"]):
                page.keyboard.press(drive["key"])
            optimal.filter(has_text=drive["after"]).wait_for(timeout=180_000)
            print("after:", slider.get_attribute("aria-valuenow"), optimal.inner_text())
            if "point" in drive:  # the slider's value reached the notebook as the exact number it shows
                page.get_by_text(drive["point"]).wait_for(timeout=60_000)
                print("point:", drive["point"])
            page.screenshot(path=screenshot, full_page=True)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
