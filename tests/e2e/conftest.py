"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium per session.

Chromium is Debian's (``apt-get install chromium``; ``.ci/run`` installs it), driven by Playwright
for Python without Playwright's own browser download. A missing browser or Playwright is a test
*failure* with instructions, never a skip: CI must not go green without having looked.
"""

from __future__ import annotations

import shutil

import pytest

from labserver import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, LabServer


def pytest_configure(config):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the installation
        pytest.fail("Playwright for Python is missing: install the test extra "
                    "(.venv/bin/pip install -e '.[lab,test,docs]', or `make install-test`)",
                    pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's package with "
                    "`apt-get install -y chromium` (.ci/run does this), or point SFA_E2E_CHROMIUM "
                    "at a Chromium binary. Never run `playwright install` here.", pytrace=False)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser_context(playwright_api, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    context = playwright_api.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 1000}, timeout=120_000)
    yield context
    context.close()


@pytest.fixture(scope="session")
def lesson_server(tmp_path_factory):
    """JupyterLab serving a snapshot of the lesson notebooks.

    notebooks/ is copied (with any data files beside the lessons), so running them in the
    browser never writes into the repository, and a lesson being rewritten by an author is read
    once, whole.
    """
    tmp = tmp_path_factory.mktemp("lab")
    workdir = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", workdir,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    server = LabServer(workdir, tmp).start()
    yield server
    server.stop()
