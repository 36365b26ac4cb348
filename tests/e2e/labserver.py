"""Start and stop a JupyterLab server for the browser tests, isolated from the user's Jupyter set-up.

Every Jupyter directory (config, data, runtime, JupyterLab settings and workspaces) points into a
temporary folder, so the tests neither read nor write the developer's own settings. The settings
written there make the front end predictable for a robot: every cell stays in the DOM (no
windowing), nothing is autosaved, no news or update pop-ups.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENV_BIN = pathlib.Path(sys.executable).parent
CHROMIUM = pathlib.Path(os.environ.get("SFA_E2E_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-dev-shm-usage"]

# JupyterLab user settings the robot needs (plugin id -> settings).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(tmp: pathlib.Path) -> dict:
    """Environment for a Jupyter process whose every directory lives under ``tmp``."""
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"), ("IPYTHONDIR", "ipython")):
        path = tmp / sub
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    for plugin, settings in LAB_SETTINGS.items():
        target = tmp / "lab-settings" / (plugin + ".jupyterlab-settings")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings))
    env.pop("MPLBACKEND", None)  # lessons choose their own backend
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float, log: pathlib.Path) -> None:
    """Wait until ``url`` answers 200, failing early (with the server log) if the server dies."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {proc.returncode} before answering "
                               f"{url}; its log:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = exc
        time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer {url} within {timeout:.0f} s (last error: "
                       f"{last}); its log:\n{tail(log)}")


def tail(path: pathlib.Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a process started in its own session, and its children (kernels, make's child)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


class LabServer:
    """``jupyter lab`` from the project's environment on 127.0.0.1, without token or browser."""

    def __init__(self, notebook_dir: pathlib.Path, tmp: pathlib.Path):
        self.notebook_dir, self.tmp = notebook_dir, tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "jupyterlab.log"
        self.proc = None

    def start(self, timeout: float = 120) -> "LabServer":
        jupyter = VENV_BIN / "jupyter"
        cmd = [str(jupyter), "lab", "--no-browser", f"--notebook-dir={self.notebook_dir}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", "--ServerApp.token=", "--ServerApp.password=",
               "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
               # the tests shut kernels down through the REST API, without a browser cookie
               "--ServerApp.disable_check_xsrf=True"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=self.tmp,
                                         env=isolated_env(self.tmp), start_new_session=True)
        wait_for_http(f"{self.url}/api/status", self.proc, timeout, self.log)
        return self

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}{path}", method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut every running kernel down, so the next lesson starts from a clean machine."""
        for session in self.api("/api/sessions"):
            self.api(f"/api/sessions/{session['id']}", method="DELETE")
        for kernel in self.api("/api/kernels"):
            self.api(f"/api/kernels/{kernel['id']}", method="DELETE")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


def printed_url(text: str):
    """The first http URL with a ``/lab`` path or a token that Jupyter printed, or None."""
    match = re.search(r"(http://(?:127\.0\.0\.1|localhost)[^\s]*)", text)
    return match.group(1) if match else None
