"""The layout's rules, checked on the code: which layer may import which (docs/architecture.md),
and that every route but a short public list carries a role guard."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from litestar import Litestar, Router, get
from litestar.di import NamedDependency, Provide

from portal.security.guards import RoleGuard, requires_role
from portal.web.routes import PUBLIC_ROUTES

PORTAL = Path(__file__).resolve().parents[1] / "portal"
COMPOSITION_ROOT = ("portal.web.app", "portal.web.components", "portal.web.routes", "portal.web.dependencies",
                    "portal.web.tasks")


# --- imports ----------------------------------------------------------------------------------
def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(root: Path, path: Path) -> set[str]:
    """Every module `path` imports (top-level, in functions, under TYPE_CHECKING), absolute."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # `from portal.areas import orders` imports the module portal.areas.orders.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {module for module in found if module == "portal" or module.startswith("portal.")}


def within(module: str, *prefixes: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def layer_violations(root: Path) -> list[str]:
    """Each import that breaks a rule of the layout, as "importer -> imported: rule"."""
    problems: list[str] = []
    for path in sorted(root.rglob("*.py")):
        importer = module_name(root, path)
        for imported in sorted(imported_modules(root, path)):
            for rule, broken in _rules(importer, imported):
                if broken:
                    problems.append(f"{importer} -> {imported}: {rule}")
    return problems


def _rules(importer: str, imported: str):
    yield (
        "brightpearl/ imports nothing of the portal but core",
        within(importer, "portal.brightpearl") and not within(imported, "portal.brightpearl", "portal.core"),
    )
    yield (
        "sandbox/ imports nothing of the portal",
        within(importer, "portal.sandbox") and not within(imported, "portal.sandbox"),
    )
    yield (
        "core/ stands on its own",
        within(importer, "portal.core") and not within(imported, "portal.core"),
    )
    yield (
        "only demo.py imports the sandbox",
        within(imported, "portal.sandbox") and not within(importer, "portal.sandbox", "portal.demo"),
    )
    yield (
        "domain/ holds rules over models: it imports only core, brightpearl models and domain",
        within(importer, "portal.domain")
        and not within(imported, "portal.domain", "portal.core", "portal.brightpearl.models"),
    )
    yield (
        "security/ knows nothing of pages or of how Brightpearl is read",
        within(importer, "portal.security")
        and not within(imported, "portal.security", "portal.core", "portal.brightpearl.models"),
    )
    yield (
        "the generic outbox queue knows nothing of what it delivers to",
        importer == "portal.outbox.queue" and not within(imported, "portal.core", "portal.outbox.queue"),
    )
    yield (
        "ops/ (backup, check, release) stands on core and the Brightpearl client only",
        within(importer, "portal.ops") and not within(imported, "portal.ops", "portal.core", "portal.brightpearl"),
    )
    area, other = _area_of(importer), _area_of(imported)
    yield ("an area never imports another area", area is not None and other is not None and area != other)
    yield (
        "only the CLI and the tests use the composition root",
        within(imported, *COMPOSITION_ROOT) and not within(importer, "portal.web", "portal.cli"),
    )
    yield (
        "nothing below web/ imports web/ or an area",
        within(importer, "portal.core", "portal.security", "portal.brightpearl", "portal.domain", "portal.outbox",
               "portal.mail", "portal.accounts")
        and within(imported, "portal.web", "portal.areas"),
    )


def _area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["portal", "areas"] else None


def test_the_portal_keeps_its_layers():
    assert layer_violations(PORTAL) == []


def test_core_imports_no_litestar():
    for path in (PORTAL / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not [n for n in names if n.split(".")[0] == "litestar"], path


def write(root: Path, module: str, source: str) -> None:
    path = root.parent.joinpath(*module.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.parents:
        if parent == root.parent:
            break
        (parent / "__init__.py").touch()
    path.write_text(source, encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "source", "rule"),
    [
        ("portal.brightpearl.reads.x", "from portal.web.htmx import go\n", "brightpearl/ imports nothing"),
        ("portal.ops.x", "from portal.areas.auth import service\n", "ops/ (backup, check, release) stands"),
        ("portal.brightpearl.reads.y", "from ...areas.orders import history\n", "brightpearl/ imports nothing"),
        ("portal.areas.orders.x", "from portal.areas.documents import documents\n", "an area never imports another"),
        ("portal.areas.orders.y", "def late():\n    from portal.areas import account\n", "an area never imports another"),
        ("portal.web.rendering", "from portal.sandbox import Sandbox\n", "only demo.py imports the sandbox"),
        ("portal.sandbox.x", "from portal.core.db import connect\n", "sandbox/ imports nothing"),
        ("portal.core.x", "from portal.security.guards import RoleGuard\n", "core/ stands on its own"),
        ("portal.domain.x", "from portal.brightpearl.facade import Brightpearl\n", "domain/ holds rules"),
        ("portal.areas.orders.z", "from portal.web.components import Components\n", "composition root"),
    ],
)
def test_a_deliberate_violation_is_reported(tmp_path, module, source, rule):
    root = tmp_path / "portal"
    write(root, "portal.areas.documents.documents", "")
    write(root, module, source)
    problems = layer_violations(root)
    assert any(rule in problem and problem.startswith(module) for problem in problems), problems


# --- guards -----------------------------------------------------------------------------------
def unguarded_routes(app: Litestar) -> list[str]:
    """Names (or paths) of the route handlers that carry no role guard and are not public.

    Litestar's own OPTIONS handlers (nameless, they only list a path's methods) are left out."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.name is None and handler.http_methods == {"OPTIONS"}:
                continue
            guarded = any(isinstance(guard, RoleGuard) for guard in handler.resolve_guards())
            if not guarded and handler.name not in PUBLIC_ROUTES:
                found.append(handler.name or route.path)
    return found


def test_every_route_but_the_public_ones_carries_a_role_guard(app):
    assert unguarded_routes(app) == []
    names = {handler.name for route in app.routes for handler in getattr(route, "route_handlers", [])}
    assert set(PUBLIC_ROUTES) <= names, "the public list names a route the app does not have"


def test_a_route_without_a_guard_is_reported():
    @get("/guarded", name="guarded", sync_to_thread=False)
    def guarded() -> str:
        return "for customers"

    @get("/forgotten", name="forgotten", sync_to_thread=False)
    def forgotten() -> str:
        return "nobody checked who may see this"

    app = Litestar(
        route_handlers=[Router("/", guards=[requires_role("customer")], route_handlers=[guarded]), forgotten],
        openapi_config=None,
    )
    assert unguarded_routes(app) == ["forgotten"]


def test_the_navigation_comes_from_the_routes_guards(client):
    from support import switch_to

    from portal.web.navigation import current_url, nav_links

    customer = switch_to(client, "alice@example.com")
    user = customer.app.state["components"].users.get(1)
    assert user.role == "customer"
    assert [label for label, _ in nav_links(customer.app, user)] == [
        "Dashboard", "Orders", "Quotes", "Documents", "Statement", "Addresses", "Account",
    ]
    admin = client.app.state["components"].users.by_email("admin@example.com")
    admin_user = client.app.state["components"].users.get(admin["id"])
    admin_links = nav_links(client.app, admin_user)
    # The admin's menu has the pages used every day; /admin lists every section.
    assert admin_links == [("Admin", "/admin"), ("Accounts", "/admin/accounts"), ("Audit log", "/admin/audit"), ("Outbox", "/admin/outbox")]
    # One link is the current page: the most specific one.
    assert current_url(admin_links, "/admin/accounts/3/edit") == "/admin/accounts"
    assert current_url(admin_links, "/admin/branding") == "/admin"
    assert current_url(admin_links, "/admin") == "/admin"
    assert current_url(admin_links, "/administrator") is None
    assert nav_links(client.app, None) == []


# --- dependencies -----------------------------------------------------------------------------
def test_every_area_works_with_the_components_it_is_given(settings, sandbox):
    from datetime import UTC, date, datetime

    from litestar.testing import TestClient
    from support import BASE_URL, portal_app, switch_to

    from portal.core.clock import Clock

    class NewYearsEve(Clock):
        def now(self) -> datetime:
            return datetime(2025, 12, 31, 12, tzinfo=UTC)

        def today(self) -> date:
            return date(2025, 12, 31)

    app = portal_app(settings, sandbox, clock=NewYearsEve())
    with TestClient(app, base_url=BASE_URL) as client:
        page = switch_to(client, "alice@example.com").get("/statement").text
    assert 'value="2025-12-31"' in page and 'max="2025-12-31"' in page


def resolved_together(app: Litestar) -> list[str]:
    """Handlers for which Litestar would resolve several dependencies at once."""
    found = []
    for route in app.routes:
        for handler, kwargs_model in getattr(route, "route_handler_map", {}).values():
            if any(len(batch) > 1 for batch in kwargs_model.dependency_batches):
                found.append(handler.name)
    return found


def test_a_handler_asks_for_one_dependency_at_a_time(app):
    """Litestar resolves the dependencies of one level together in a task group, which costs
    more than a whole page: each handler asks for its area's service, which asks for the user."""
    assert resolved_together(app) == []


def test_two_dependencies_side_by_side_are_reported():
    def one() -> int:
        return 1

    def two() -> int:
        return 2

    @get("/both", name="both", sync_to_thread=False)
    def both(first: NamedDependency[int], second: NamedDependency[int]) -> str:
        return str(first + second)

    dependencies = {"first": Provide(one, sync_to_thread=False), "second": Provide(two, sync_to_thread=False)}
    assert resolved_together(Litestar([both], dependencies=dependencies, openapi_config=None)) == ["both"]
