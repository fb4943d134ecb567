"""The imports section of the admin area: logins from a CSV or XLSX file.

Upload a file (GET/POST /admin/import): it is read and checked whole (portal.accounts.importing
refuses files that are not what they claim, too large, or with formulas), its rows kept in the
`imports` table, and the admin sent to the dry run (GET /admin/import/{id}): per row what
applying will do, or every reason it cannot. The dry run is worked out again on every view
(Brightpearl's answers come from the cache), and once more when the admin applies it: the
valid rows are created in one transaction, and only if they are still exactly the rows the
admin saw (otherwise the dry run is shown again, saying what changed). Applying twice does
nothing the second time. The report (GET /admin/import/{id}/report.csv) says per row what
happened, never a password.

Every upload and every apply is audited: `accounts_import_uploaded`, `accounts_imported` with
the counts, and one `account_imported` per login created.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.accounts.importing import (
    MAX_BYTES,
    MAX_ROWS,
    ROLES,
    SAMPLE_CSV,
    Check,
    Import,
    ImportRefused,
    Imports,
    check,
    prepare,
    read_upload,
    report_csv,
    report_rows,
    unusable_hash,
)
from portal.brightpearl import Brightpearl
from portal.core.audit import Audit
from portal.core.users import User, UserError, UserStore
from portal.security.passwords import Passwords
from portal.web.area import for_user
from portal.web.htmx import go
from portal.web.params import with_query
from portal.web.rendering import page

from .section import Section

ROLE_CHOICES = (("customer", "Customers"), ("supplier", "Suppliers"))
DONE = {
    "applied": "The import is applied: the logins below are created.",
    "already": "This import was applied already: nothing more was done.",
    "nothing": "No row of this file can be imported: nothing was done.",
}
CHANGED = ("Something changed since this check was shown (a login was created, or a contact changed in "
           "Brightpearl), so nothing was created. Here is the check again: review it and apply once more.")
LOOKUPS_FAILED = ("Brightpearl could not be reached, so the contacts could not be checked: nothing was created. "
                  "Try again in a minute.")


class _AlreadyApplied(Exception):
    pass


@dataclass
class ImportAdmin:
    """What the import pages read and do, for the admin asking."""

    users: UserStore
    bp: Brightpearl
    audit: Audit
    passwords: Passwords
    user: User

    @property
    def imports(self) -> Imports:
        return Imports(self.users.db)

    def get(self, import_id: int) -> Import:
        found = self.imports.get(import_id)
        if found is None:
            raise NotFoundException()
        return found

    async def upload(self, filename: str, data: bytes, role: str, *, ip: str) -> int:
        """Read and keep an uploaded file; its import id. Raises ImportRefused."""
        rows = await prepare(read_upload(filename, data), self.passwords.hash)
        import_id = self.imports.add(filename=filename, role=role, rows=rows, created_by=self.user.id)
        self.audit.record("accounts_import_uploaded", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target=f"import:{import_id}", detail={"filename": filename[:200], "rows": len(rows), "role": role})
        return import_id

    async def check(self, imported: Import) -> Check:
        return await check(imported.rows, role=imported.role, users=self.users, bp=self.bp)

    async def apply(self, imported: Import, confirmed: str, *, ip: str) -> tuple[str, Check | None]:
        """Create the valid rows of `imported` in one transaction, if they are still the
        `confirmed` ones. Returns (outcome, the check when it is to be shown again)."""
        if imported.applied:
            return "already", None
        result = await self.check(imported)
        if result.lookups_failed:
            return "lookups_failed", result
        if result.fingerprint() != confirmed:
            return "changed", result
        valid = result.valid
        if not valid:
            return "nothing", None
        kept = {row["line"]: row for row in imported.rows}
        rows = []
        for item in valid:
            stored = kept[item.line]
            rows.append({"email": item.email, "name": item.name, "role": imported.role, "contact_id": item.contact_id,
                         "password_hash": stored["password_hash"] or unusable_hash(),
                         "must_change_password": bool(stored["password_hash"])})

        def also(ids: list[int]) -> None:
            for item, user_id in zip(valid, ids, strict=True):
                item.created_user_id = user_id
            if not self.imports.mark_applied(imported, report_rows(result, imported.role)):
                raise _AlreadyApplied()
            actor = {"actor_user_id": self.user.id, "actor_email": self.user.email, "ip": ip}
            self.audit.record("accounts_imported", **actor, target=f"import:{imported.id}",
                              detail={"role": imported.role, "rows": len(result.rows), "created": len(ids),
                                      "not_imported": len(result.invalid),
                                      "with_temporary_password": sum(1 for r in rows if r["must_change_password"])})
            for item, user_id in zip(valid, ids, strict=True):
                self.audit.record("account_imported", **actor, target=f"user:{user_id}",
                                  detail={"import": imported.id, "contact_id": item.contact_id, "role": imported.role})

        try:
            self.users.add_many(rows, also=also)
        except _AlreadyApplied:
            return "already", None
        except UserError:
            return "changed", await self.check(imported)
        return "applied", None

    async def report(self, imported: Import) -> list[dict[str, Any]]:
        """The applied import's report, or the dry run's."""
        if imported.applied:
            return imported.report
        return report_rows(await self.check(imported), imported.role)


def section(*, users: UserStore, bp: Brightpearl, audit: Audit, passwords: Passwords) -> Section:
    return Section(
        handlers=(import_form, import_sample, import_upload, import_check, import_apply, import_report),
        services={"import_admin": for_user(partial(ImportAdmin, users, bp, audit, passwords))},
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _form(request: Request, *, error: str | None = None, role: str = "customer", status: int = 200) -> Template:
    return page(request, "views/admin/import.html", status_code=status, error=error, role=role, roles=ROLE_CHOICES,
                max_kb=MAX_BYTES // 1024, max_rows=MAX_ROWS)


async def _check_page(request: Request, admin: ImportAdmin, imported: Import, *, result: Check | None = None,
                      error: str | None = None, status: int = 200) -> Template:
    if imported.applied:
        entries, lookups_failed, fingerprint = imported.report, False, ""
    else:
        result = result or await admin.check(imported)
        entries, lookups_failed, fingerprint = report_rows(result, imported.role), result.lookups_failed, result.fingerprint()
    done = None if error else DONE.get(request.query_params.get("done", ""))
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry["result"]] = counts.get(entry["result"], 0) + 1
    return page(request, "views/admin/import_check.html", status_code=status, imported=imported, entries=entries,
                counts=counts, lookups_failed=lookups_failed, fingerprint=fingerprint, done=done, error=error,
                role_name=imported.role)


@get("/admin/import", name="admin_import")
async def import_form(request: Request) -> Template:
    return _form(request)


@get("/admin/import/sample.csv", name="admin_import_sample")
async def import_sample() -> Response:
    return Response(SAMPLE_CSV, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="logins-sample.csv"'})


@post("/admin/import", name="admin_import_upload", status_code=200)
async def import_upload(request: Request, import_admin: NamedDependency[ImportAdmin]) -> Template | Response:
    form = await request.form()
    role = str(form.get("role", "customer"))
    if role not in ROLES:
        role = "customer"
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return _form(request, error="Choose a .csv or .xlsx file to import.", role=role, status=400)
    try:
        if not upload.filename:
            return _form(request, error="Choose a .csv or .xlsx file to import.", role=role, status=400)
        data = await upload.read(MAX_BYTES + 1)
        import_id = await import_admin.upload(upload.filename, data, role, ip=_client(request))
    except ImportRefused as refused:
        return _form(request, error=str(refused), role=role, status=400)
    finally:
        await upload.close()
    return go(request, request.app.route_reverse("admin_import_check", import_id=import_id))


@get("/admin/import/{import_id:int}", name="admin_import_check")
async def import_check(request: Request, import_id: FromPath[int], import_admin: NamedDependency[ImportAdmin]) -> Template:
    return await _check_page(request, import_admin, import_admin.get(import_id))


@post("/admin/import/{import_id:int}/apply", name="admin_import_apply", status_code=200)
async def import_apply(request: Request, import_id: FromPath[int], import_admin: NamedDependency[ImportAdmin]) -> Template | Response:
    imported = import_admin.get(import_id)
    form = await request.form()
    outcome, result = await import_admin.apply(imported, str(form.get("rows", ""))[:20000], ip=_client(request))
    if outcome == "changed":
        return await _check_page(request, import_admin, imported, result=result, error=CHANGED, status=409)
    if outcome == "lookups_failed":
        return await _check_page(request, import_admin, imported, result=result, error=LOOKUPS_FAILED, status=503)
    target = request.app.route_reverse("admin_import_check", import_id=import_id)
    return go(request, with_query(target, {"done": outcome}))


@get("/admin/import/{import_id:int}/report.csv", name="admin_import_report")
async def import_report(import_id: FromPath[int], import_admin: NamedDependency[ImportAdmin]) -> Response:
    imported = import_admin.get(import_id)
    body = report_csv(await import_admin.report(imported))
    state = "report" if imported.applied else "dry-run"
    return Response("\ufeff" + body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="import-{import_id}-{state}.csv"'})
