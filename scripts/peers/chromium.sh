#!/usr/bin/env bash
# The browser of the web-page tests (tests/web): Debian's headless-capable Chromium, driven by Playwright
# through `executable_path`, so `playwright install` (a browser download) is never needed.
set -euo pipefail
"$(dirname "$0")/../apt-ensure" /usr/bin/chromium chromium
