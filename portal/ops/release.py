"""`./run release`: the portal and its dependencies as one executable file, dist/portal-X.Y.Z.

Built with shiv (a zipapp of a pip install of this checkout, wheel's templates, static files and
fonts included, see pyproject's force-include). The file runs with the Python version it was
built with, on the same kind of machine (its C extensions, argon2 and uvloop among them, are
built for that platform). On its first run it unpacks its dependencies once into $SHIV_ROOT
(default ~/.shiv) and starts from there after.

Run as `python -m portal.ops.release [--out DIR]` from a checkout (the `release` extra installs shiv).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from portal.core.paths import REPO_DIR


def project_version(repo: Path = REPO_DIR) -> str:
    """The version in pyproject.toml of the checkout at `repo`."""
    return tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"]


def release_name(version: str) -> str:
    return f"portal-{version}"


def build(out_dir: Path, *, repo: Path = REPO_DIR, python: str | None = None) -> Path:
    """Build the one-file portal from the checkout at `repo` into `out_dir`; return the file's path.

    `python` is the shebang's interpreter; by default `python3.X` of the one building (the
    dependencies' compiled parts are for that version).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / release_name(project_version(repo))
    interpreter = python or f"/usr/bin/env python{sys.version_info.major}.{sys.version_info.minor}"
    env = dict(os.environ)
    # Same input, same file: the archive's timestamps are fixed unless the caller chose one.
    env.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    subprocess.run(
        [sys.executable, "-m", "shiv", "--console-script", "portal", "--output-file", str(target),
         "--python", interpreter, "--compressed", "--reproducible",
         str(repo), "--quiet", "--disable-pip-version-check"],
        check=True, env=env,
    )
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the one-file portal release.")
    parser.add_argument("--out", type=Path, default=REPO_DIR / "dist", help="directory for the file (default dist/)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    path = build(args.out)
    size = path.stat().st_size / 1e6
    print(f"built {path} ({size:.1f} MB) in {time.monotonic() - started:.0f} s")
    print(f"run it anywhere on this kind of machine: {path} demo | {path} serve | {path} check")


if __name__ == "__main__":
    main()
