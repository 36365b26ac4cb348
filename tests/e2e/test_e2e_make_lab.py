"""README's command that opens the course, ``make lab``, starts a server that answers and shows
every lesson, both through Jupyter's REST API and in the browser's file browser."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from labserver import ARTIFACTS, LESSONS, ROOT, free_port, isolated_env, printed_url, stop, tail


@pytest.fixture
def make_lab(tmp_path):
    """``make lab`` exactly as README gives it, with options for a machine without a display."""
    make = shutil.which("make")
    assert make, "`make` is not installed; README's `make lab` needs it"
    port = free_port()
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --port={port} --ServerApp.port_retries=0"
    if os.geteuid() == 0:
        args += " --allow-root"
    log = tmp_path / "make-lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([make, "lab", f"LAB_ARGS={args}"], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT, env=isolated_env(tmp_path),
                                start_new_session=True)
    try:
        # Generous: if pyproject.toml changed since the last install, `make lab` reinstalls first.
        deadline = time.monotonic() + 600
        url = None
        while time.monotonic() < deadline and url is None:
            if proc.poll() is not None:
                pytest.fail(f"`make lab` exited with code {proc.returncode}:\n{tail(log)}")
            text = log.read_text(errors="replace")
            url = printed_url(text) if f":{port}/" in text else None
            time.sleep(0.5)
        assert url, f"`make lab` printed no URL for port {port} within 600 s:\n{tail(log)}"
        yield url, port, log
    finally:
        stop(proc)


def test_make_lab_serves_the_lessons(make_lab, browser_context):
    url, port, log = make_lab
    query = urllib.parse.urlparse(url).query
    token = urllib.parse.parse_qs(query).get("token", [""])[0]
    assert f"127.0.0.1:{port}" in url or f"localhost:{port}" in url, url

    # The server answers, and its root folder is notebooks/ with every lesson in it.
    base = f"http://127.0.0.1:{port}"
    request = urllib.request.Request(f"{base}/api/contents",
                                     headers={"Authorization": f"token {token}"} if token else {})
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                listing = json.loads(response.read())
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    served = {item["name"] for item in listing["content"]}
    wanted = {p.name for p in LESSONS}
    assert wanted <= served, f"`make lab` does not serve {sorted(wanted - served)} (serves {sorted(served)})"

    # The page a student opens shows the lessons in JupyterLab's file browser.
    page = browser_context.new_page()
    try:
        page.goto(url.replace("localhost", "127.0.0.1"), timeout=120_000)
        items = page.locator(".jp-DirListing-item .jp-DirListing-itemText")
        items.first.wait_for(timeout=120_000)
        deadline = time.monotonic() + 60
        shown = set()
        while time.monotonic() < deadline and not wanted <= shown:
            shown = set(items.all_inner_texts())
            time.sleep(0.5)
        page.screenshot(path=str(ARTIFACTS / "make-lab-file-browser.png"))
        assert wanted <= shown, (f"JupyterLab's file browser does not list {sorted(wanted - shown)}; "
                                 f"screenshot: {ARTIFACTS / 'make-lab-file-browser.png'}")
    finally:
        page.close(run_before_unload=False)
