"""`./run release` builds one executable file that, copied alone into an empty directory, serves the
demo (`./portal-X.Y.Z demo`) and production (`./portal-X.Y.Z serve`, here against its own sandbox)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import zipfile

import httpx
import pytest
from support.processes import free_port, stop, wait_for

from portal.demo import SANDBOX_ACCOUNT, SANDBOX_APP_REF, SANDBOX_STAFF_TOKEN
from portal.ops.release import build, project_version

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_the_one_file_release_runs_the_demo_and_production_from_an_empty_directory(tmp_path):
    started = time.monotonic()
    built = build(tmp_path / "dist")
    print(f"release built in {time.monotonic() - started:.0f} s: {built.stat().st_size / 1e6:.1f} MB")
    version = project_version()
    assert built.name == f"portal-{version}"
    names = set(zipfile.ZipFile(built).namelist())
    for inside in ("views/base.html", "partials/orders/table.html", "static/htmx-2.0.11.min.js",
                   "static/fonts/DejaVuSans-Bold.ttf", "core/migrations.py"):
        assert f"site-packages/portal/{inside}" in names, inside

    server = tmp_path / "server"
    server.mkdir()
    portal = server / built.name
    shutil.copy2(built, portal)
    assert os.access(portal, os.X_OK)
    # Nothing of this checkout or its virtual environment: the file brings everything.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORTAL_", "VIRTUAL_ENV", "PYTHON")) and k != "PATH"}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    env["SHIV_ROOT"] = str(tmp_path / "shiv")
    version_line = subprocess.run([str(portal), "--version"], cwd=server, env=env, capture_output=True, text=True,
                                  timeout=300, check=True).stdout
    assert version in version_line

    port = free_port()
    demo = subprocess.Popen([str(portal), "demo", "--port", str(port)], cwd=server, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/login", demo, seconds=90)
        assert "Demo logins" in httpx.get(f"{base}/login", timeout=10).text
        for asset in ("htmx-2.0.11.min.js", "fonts/DejaVuSans-Bold.ttf"):
            assert httpx.get(f"{base}/static/{asset}", timeout=10).status_code == 200, asset
    finally:
        stop(demo)
    assert (server / "data" / "portal.core.db").is_file()  # ./data beside the file, as documented

    sandbox_port, serve_port = free_port(), free_port()
    sandbox = subprocess.Popen([str(portal), "sandbox", "--port", str(sandbox_port)], cwd=server, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    production = None
    try:
        production_env = {
            **env,
            "PORTAL_DATA_DIR": str(server / "production"),
            "PORTAL_BRIGHTPEARL_URL": f"http://127.0.0.1:{sandbox_port}/public-api/{SANDBOX_ACCOUNT}",
            "PORTAL_BRIGHTPEARL_APP_REF": SANDBOX_APP_REF,
            "PORTAL_BRIGHTPEARL_STAFF_TOKEN": SANDBOX_STAFF_TOKEN,
        }
        deadline = time.monotonic() + 60
        while True:  # serve checks the credentials first: wait until the sandbox answers
            try:
                httpx.get(f"http://127.0.0.1:{sandbox_port}/", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and sandbox.poll() is None, "the sandbox did not start"
                time.sleep(0.2)
        production = subprocess.Popen([str(portal), "serve", "--port", str(serve_port)], cwd=server,
                                      env=production_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_for(f"http://127.0.0.1:{serve_port}/healthz", production, seconds=60)
        login = httpx.get(f"http://127.0.0.1:{serve_port}/login", timeout=10)
        assert login.status_code == 200 and "Demo logins" not in login.text
    finally:
        if production is not None:
            stop(production)
        stop(sandbox)
    assert sorted(p.name for p in server.iterdir()) == sorted([built.name, "data", "production"])
