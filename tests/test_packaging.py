"""`pip install .` (not editable) into a fresh venv gives a working `portal demo` from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from support.processes import free_port, stop, wait_for

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_wheel_ships_templates_and_static_files_and_runs_the_demo(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
         "-w", str(wheels), str(REPO)],
        check=True, timeout=300,
    )
    wheel = next(wheels.glob("brightpearl_portal-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("portal/views/base.html", "portal/partials/orders/table.html",
                     "portal/static/htmx-2.0.11.min.js", "portal/static/portal.css"):
        assert required in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True, timeout=600,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k != "PYTHONPATH"}
    started = time.monotonic()
    process = subprocess.Popen(
        [str(venv / "bin" / "portal"), "demo", "--port", str(port), "--data", str(tmp_path / "data")],
        cwd=elsewhere, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/login", process, seconds=60)
        print(f"portal demo served its first page after {time.monotonic() - started:.2f} s")
        login = httpx.get(f"{base}/login", timeout=10)
        assert "Demo logins" in login.text
        assert httpx.get(f"{base}/static/htmx-2.0.11.min.js", timeout=10).status_code == 200
    finally:
        stop(process)
