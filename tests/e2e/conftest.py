"""Browser tests: Debian's chromium driven by Playwright; never a downloaded browser."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("VOC_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop; Django must allow ORM calls from the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) is None:
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
        for item in items:
            if "e2e" in item.nodeid:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session", autouse=True)
def warm_processes():
    """Load the sentence encoder once, before any page: whatever asks for it first in this process
    pays seconds for the load on a busy 2-core machine, and that was charged to whichever
    expectation ran first (the first capture test failed once that way, never after 20 runs
    warm). Expectations also wait up to 10 s, not 5."""
    from django.conf import settings
    from playwright.sync_api import expect

    from insights import nlp

    nlp.encoder(settings.VOC_ENCODER).encode(["warming up"], language="en")
    expect.set_options(timeout=10_000)
