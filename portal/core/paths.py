"""Where the portal finds its templates and static files.

In a wheel they are copied inside the package (see pyproject's force-include); in a source
checkout they sit at the top of the repository.  Callers get the directory that exists.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # portal/
REPO_DIR = PACKAGE_DIR.parent


def resource_dir(name: str, packaged_as: str | None = None) -> Path:
    """Return the directory `name` (views, partials, mail or static) for this installation;
    `packaged_as` is its place inside the package when that is not `name`."""
    inside = PACKAGE_DIR / (packaged_as or name)
    if inside.is_dir():
        return inside
    return REPO_DIR / name


VIEWS_DIR = resource_dir("views")
PARTIALS_DIR = resource_dir("partials")
STATIC_DIR = resource_dir("static")
# The e-mail templates; in a wheel beside the code of portal.mail, whose name the folder has.
MAIL_DIR = resource_dir("mail", packaged_as="mail/templates")
