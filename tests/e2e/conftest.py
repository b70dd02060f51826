"""Browser tests (marker e2e) drive Debian's chromium through Playwright; the `browser` and `page` fixtures are in
tests/conftest.py so that an app's own browser test (e.g. tests/careplans) shares them."""
