"""The audit log section of the admin area: who did what to which account, setting or
Brightpearl object, when, from where, and how it ended; newest first, filtered by actor (part of
the email), action, outcome and day (the merchant's days), paged by id; the same rows as CSV.

A bad filter (a date that is not one, an action the log does not hold) is a 400 with the
message beside its field and no rows. The CSV holds at most MAX_EXPORT rows, newest first,
written as they are read, and every text cell is guarded against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Response, Stream, Template

from portal.core.audit import Audit, AuditPage, AuditQuery
from portal.core.settings import Settings
from portal.core.users import User
from portal.domain.statement import csv_text
from portal.web.area import NavLink, for_user
from portal.web.params import parse_day, with_query
from portal.web.rendering import page

from .section import Section

PAGE_SIZE = 50
MAX_EXPORT = 50_000
EXPORT_BATCH = 1000
MAX_ACTOR = 320
_MAX_CURSOR_DIGITS = 12
CSV_HEADER = ("id", "at (UTC)", "at (merchant time)", "actor", "actor user id", "action", "target", "outcome", "ip",
              "detail")


@dataclass(frozen=True)
class AuditFilters:
    """The query string of the audit log, validated: `raw` as typed (for the form), `errors`
    by field, the query for the store and the page cursor."""

    raw: Mapping[str, str]
    errors: Mapping[str, str]
    query: AuditQuery
    before: int | None = None
    after: int | None = None

    @property
    def first_error(self) -> str | None:
        """The first field of the form with an error (it gets the focus)."""
        return next((name for name in ("actor", "action", "outcome", "from", "to") if name in self.errors), None)

    def params(self, **changes: object) -> dict[str, object]:
        """The filters as a query string (empty ones left out by with_query), with `changes`."""
        return {**{k: v for k, v in self.raw.items() if k in ("actor", "action", "outcome", "from", "to")}, **changes}


def _instant(day: date, zone: tzinfo) -> str:
    """The start of `day` on the merchant's clock, as the UTC text the audit table stores."""
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC).isoformat(timespec="seconds")


def _cursor(text: str, field: str, errors: dict[str, str]) -> int | None:
    if not text:
        return None
    if text.isdigit() and len(text) <= _MAX_CURSOR_DIGITS:
        return int(text)
    errors[field] = "That page of the log does not exist."
    return None


@dataclass
class AuditLog:
    """What the audit log page reads, for the admin asking."""

    audit: Audit
    zone: tzinfo
    user: User

    def filters(self, params: Mapping[str, str]) -> AuditFilters:
        raw = {name: str(params.get(name, "") or "").strip()[:400]
               for name in ("actor", "action", "outcome", "from", "to", "before", "after")}
        errors: dict[str, str] = {}
        if len(raw["actor"]) > MAX_ACTOR:
            errors["actor"] = f"Use at most {MAX_ACTOR} characters."
        if raw["action"] and raw["action"] not in self.audit.actions():
            errors["action"] = "Choose one of the actions listed."
        if raw["outcome"] and raw["outcome"] not in self.audit.outcomes():
            errors["outcome"] = "Choose one of the outcomes listed."
        since = parse_day(raw["from"], "from", errors)
        until = parse_day(raw["to"], "to", errors)
        if since and until and since > until:
            errors["from"] = "The start date must be on or before the end date."
        before = _cursor(raw["before"], "before", errors)
        after = _cursor(raw["after"], "after", errors)
        query = AuditQuery(
            actor=raw["actor"][:MAX_ACTOR],
            action=raw["action"],
            outcome=raw["outcome"],
            since=_instant(since, self.zone) if since else None,
            until=_instant(until + timedelta(days=1), self.zone) if until else None,
        )
        return AuditFilters(raw=raw, errors=errors, query=query, before=before, after=after)

    def page(self, filters: AuditFilters) -> AuditPage:
        found = self.audit.page(filters.query, before=filters.before, after=filters.after, size=PAGE_SIZE)
        return AuditPage(rows=[entry(row) for row in found.rows], newer=found.newer, older=found.older)

    def actions(self) -> list[str]:
        return self.audit.actions()

    def outcomes(self) -> list[str]:
        return self.audit.outcomes()

    async def csv_chunks(self, filters: AuditFilters) -> AsyncIterator[str]:
        """The CSV of the rows `filters` match, newest first, at most MAX_EXPORT: read in
        batches on the event loop (the app's one SQLite connection lives there), a chunk each."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        before, written = None, 0
        while written < MAX_EXPORT:
            rows = self.audit.batch(filters.query, before=before, limit=min(EXPORT_BATCH, MAX_EXPORT - written))
            for row in rows:
                writer.writerow(self._csv_row(row))
            written += len(rows)
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if len(rows) < EXPORT_BATCH:
                break
            before = rows[-1]["id"]

    def _csv_row(self, row: dict) -> list[object]:
        at = _moment(row["at"])
        return [
            row["id"],
            row["at"],
            at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S") if at else "",
            csv_text(row["actor_email"] or ""),
            "" if row["actor_user_id"] is None else row["actor_user_id"],
            csv_text(row["action"] or ""),
            csv_text(row["target"] or ""),
            csv_text(row["outcome"] or ""),
            csv_text(row["ip"] or ""),
            csv_text(row["detail"] if row["detail"] not in (None, "{}") else ""),
        ]


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _detail(text: str | None) -> list[tuple[str, str]]:
    """The detail JSON as (key, value) pairs to show; values that are not text as JSON."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return [("detail", text or "")]
    if not isinstance(value, dict):
        return [("detail", json.dumps(value, ensure_ascii=False))]
    return [(str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)) for k, v in value.items()]


def entry(row: dict) -> dict:
    """A row of the table as the template shows it."""
    return {**row, "at": _moment(row["at"]), "detail": _detail(row["detail"])}


def _options(values: list[str]) -> list[tuple[str, str]]:
    return [(value, value.replace("_", " ")) for value in values]


def section(*, audit: Audit, settings: Settings | None = None) -> Section:
    zone = settings.zone if settings is not None else UTC
    return Section(
        handlers=(audit_page, audit_csv),
        services={"audit_log": for_user(partial(AuditLog, audit, zone))},
        nav=(NavLink("Audit log", "admin_audit"),),
    )


@get("/admin/audit", name="admin_audit")
async def audit_page(request: Request, audit_log: NamedDependency[AuditLog]) -> Template:
    filters = audit_log.filters(request.query_params)
    found = AuditPage(rows=[], newer=False, older=False) if filters.errors else audit_log.page(filters)
    base = request.app.route_reverse("admin_audit")
    newer_url = with_query(base, filters.params(after=found.rows[0]["id"])) if found.newer else None
    older_url = with_query(base, filters.params(before=found.rows[-1]["id"])) if found.older else None
    filtered = any(filters.params().values())
    return page(request, "views/admin/audit.html", status_code=400 if filters.errors else 200,
                filters=filters, found=found, action_options=_options(audit_log.actions()), outcome_options=_options(audit_log.outcomes()),
                newer_url=newer_url, older_url=older_url, newest_url=with_query(base, filters.params()),
                csv_params=filters.params(), filtered=filtered, max_export=MAX_EXPORT, max_actor=MAX_ACTOR)


@get("/admin/audit.csv", name="admin_audit_csv")
async def audit_csv(request: Request, audit_log: NamedDependency[AuditLog]) -> Template | Response | Stream:
    filters = audit_log.filters(request.query_params)
    if filters.errors:
        return page(request, "views/admin/audit.html", status_code=400, filters=filters,
                    found=AuditPage(rows=[], newer=False, older=False), action_options=_options(audit_log.actions()),
                    outcome_options=_options(audit_log.outcomes()), newer_url=None, older_url=None,
                    newest_url=request.app.route_reverse("admin_audit"), csv_params=filters.params(),
                    filtered=True, max_export=MAX_EXPORT, max_actor=MAX_ACTOR)
    stamp = datetime.now(UTC).astimezone(audit_log.zone).strftime("%Y-%m-%d")
    return Stream(
        audit_log.csv_chunks(filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"', "Cache-Control": "no-store"},
    )
