"""Draw ``assets/app.png``, the Open Graph / Twitter preview image of every page (1200x630).

Dash Pages uses ``assets/app.png`` as each page's ``og:image`` when a page names none.
Regenerate after changing the text: ``.venv/bin/python docs/make_social_image.py``
(needs Chromium at /usr/bin/chromium, as the browser tests do).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "assets" / "app.png"
HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
body { margin: 0; width: 1200px; height: 630px; background: #003f63; color: #fff;
  font-family: "DejaVu Sans", system-ui, sans-serif; display: flex; flex-direction: column;
  justify-content: center; padding: 0 80px; box-sizing: border-box; }
h1 { font-size: 60px; line-height: 1.1; margin: 0 0 24px; }
p { font-size: 30px; line-height: 1.35; margin: 0 0 16px; color: #e6f0f6; max-width: 1000px; }
.bar { display: flex; gap: 14px; align-items: flex-end; height: 90px; margin-top: 24px; }
.bar span { width: 44px; background: #56b4e9; } .bar span.alt { background: #e69f00; }
</style></head><body>
<h1>Belltown LEAD transparency dashboard</h1>
<p>Law Enforcement Assisted Diversion in Seattle: enrollment, recidivism and
neighborhood quality of life, from public data.</p>
<div class="bar"><span style="height:40%"></span><span class="alt" style="height:70%"></span>
<span style="height:55%"></span><span class="alt" style="height:85%"></span>
<span style="height:35%"></span><span class="alt" style="height:60%"></span></div>
</body></html>"""


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        page.set_content(HTML)
        page.screenshot(path=str(OUT))
        browser.close()
    sys.stdout.write(f"wrote {OUT}\n")


if __name__ == "__main__":
    main()
