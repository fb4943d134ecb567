"""The connection health section of the admin area (/admin/health): is Brightpearl reachable and
are the portal's credentials valid; the request budget, per minute over the last hour, used by
the portal and (estimated) by the merchant's other apps, as a chart and a table; the circuit
breaker of each endpoint family; the cache hit rate; errors by endpoint; the outbox; the last
webhook.

Reachability costs at most one request per page view: the page judges by the portal's own last
call when it was made in the last minute (FRESH_OUTCOME), and only otherwise asks Brightpearl
once (the cheap call `portal check` makes, `check_credentials`), with a short deadline. "Check
now" (a POST) always asks. A failing check never fails the page: it is what the page reports.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Response, Template

from portal.brightpearl import Brightpearl
from portal.brightpearl.errors import BrightpearlAuthError, BrightpearlError, BrightpearlUnavailable
from portal.brightpearl.usage import Minute, Outcome, Usage
from portal.core.formatting import local
from portal.core.metrics import Metrics
from portal.core.settings import Settings
from portal.core.users import User
from portal.outbox.queue import Outbox
from portal.web.area import for_user
from portal.web.htmx import go
from portal.web.params import with_query
from portal.web.rendering import page

from .section import Section

PROBE_DEADLINE = 5.0  # seconds a check may take before Brightpearl counts as not answering

TITLES = {
    "ok": "Reachable",
    "busy": "Reachable, but throttling",
    "odd": "Reachable, with an unexpected answer",
    "rejected": "Credentials rejected",
    "unreachable": "Not reachable",
    "paused": "Calls paused",
}
BREAKER_STATES = {"closed": "Closed", "open": "Open", "half_open": "Half open"}


@dataclass(frozen=True)
class Connection:
    """What the page says about reaching Brightpearl."""

    state: str  # ok | busy | odd | rejected | unreachable | paused
    detail: str
    checked_at: datetime | None
    by_check: bool  # True: asked for this page; False: the portal's own last call
    credentials: str  # valid | rejected | unknown

    @property
    def title(self) -> str:
        return TITLES[self.state]

    @property
    def good(self) -> bool:
        return self.state in ("ok", "busy")


def last_webhook_received() -> datetime | None:
    """When Brightpearl last called the portal's webhook: None until webhooks exist."""
    return None


@dataclass
class ConnectionHealth:
    """What the health page reads (and the one request a check makes), for the admin asking."""

    bp: Brightpearl
    metrics: Metrics
    outbox: Outbox
    settings: Settings
    user: User

    @property
    def usage(self) -> Usage:
        return self.bp.client.usage

    async def connection(self, *, check: bool = False) -> Connection:
        """Judged by the portal's last call when it is fresh, else (or when `check`) by asking."""
        outcome = None if check else self.usage.fresh_outcome()
        if outcome is not None:
            return self._judge_outcome(outcome)
        return await self._probe()

    async def _probe(self) -> Connection:
        client = self.bp.client
        try:
            async with asyncio.timeout(PROBE_DEADLINE):
                await client.check_credentials()
        except BrightpearlAuthError as error:
            return self._made("rejected", f"Brightpearl refused the portal's credentials: {error.message}. "
                              "Check PORTAL_BRIGHTPEARL_APP_REF, the token, and the account code in PORTAL_BRIGHTPEARL_URL.")
        except BrightpearlUnavailable as error:
            if error.reason == "circuit_open":
                wait = math.ceil(max((b["retry_after"] for b in client.breaker_states()), default=0))
                return self._made("paused", "After repeated failures the portal stopped calling Brightpearl for a "
                                  f"while; it tries again in {wait} s. {self._last_error_text()}".strip(), asked=False)
            if error.reason == "throttled":
                return self._made("busy", "Brightpearl answers, but is throttling: the account's 200 requests a "
                                  "minute (the portal's and other apps') are used up for now.")
            return self._made("unreachable", f"Brightpearl did not answer a check: {error.message}.")
        except TimeoutError:
            return self._made("unreachable", f"Brightpearl gave no answer within {PROBE_DEADLINE:g} seconds.")
        except BrightpearlError as error:
            return self._made("odd", f"Brightpearl answered a check with {error.status}: {error.message}. "
                              "Check the address in PORTAL_BRIGHTPEARL_URL.")
        return self._made("ok", "Brightpearl answered a check just now.")

    def _made(self, state: str, detail: str, *, asked: bool = True) -> Connection:
        last = self.usage.last
        at = _wall(last.at) if asked and last is not None else datetime.now(UTC)
        return Connection(state, detail, at, True, self._credentials(state))

    def _judge_outcome(self, outcome: Outcome) -> Connection:
        status, family = outcome.status, outcome.family
        if status is None:
            state, detail = "unreachable", f"The portal's last call ({family}) got no answer: a connection error or a timeout."
        elif outcome.throttled:
            state, detail = "busy", ("Brightpearl answers, but is throttling: the account's 200 requests a minute "
                                     "(the portal's and other apps') are used up for now.")
        elif status in (401, 403):
            state, detail = "rejected", (f"Brightpearl refused the portal's credentials ({status} on {family}). Check "
                                         "PORTAL_BRIGHTPEARL_APP_REF, the token, and the account code in PORTAL_BRIGHTPEARL_URL.")
        elif status >= 500:
            state, detail = "unreachable", f"Brightpearl answered the portal's last call ({family}) with {status}: it is failing or down."
        else:
            state, detail = "ok", f"Brightpearl answered the portal's last call ({family})."
        return Connection(state, detail, _wall(outcome.at), False, self._credentials(state))

    def _credentials(self, state: str) -> str:
        if state == "rejected" or self.bp.client.credentials_rejected:
            return "rejected"
        return "valid" if state in ("ok", "busy", "odd") else "unknown"

    def _last_error_text(self) -> str:
        errors = self.usage.last_error.values()
        if not errors:
            return ""
        last = max(errors, key=lambda o: o.at)
        return f"Last failure: {describe(last)} on {last.family}."

    # --- everything else the page shows ---------------------------------------------------------
    def report(self) -> dict[str, Any]:
        usage, client = self.usage, self.bp.client
        minutes = usage.window()
        zone = self.settings.zone
        state = client.health()
        hits, misses = self.metrics.cache_counts()
        hour_hits = sum(m.cache_hits for m in minutes)
        hour_misses = sum(m.cache_misses for m in minutes)
        now = datetime.now(UTC)
        last_errors = usage.last_error
        breakers = []
        for row in client.breaker_states():
            family = row["family"]
            if family == "Brightpearl as a whole":
                last = max(last_errors.values(), key=lambda o: o.at, default=None)
            else:
                last = last_errors.get(family)
            breakers.append({
                **row,
                "whole": family == "Brightpearl as a whole",
                "label": BREAKER_STATES.get(row["state"], row["state"]),
                "since": None if row["for_seconds"] is None else now - timedelta(seconds=row["for_seconds"]),
                "retry_after": math.ceil(row["retry_after"]),
                "last_error": None if last is None else f"{describe(last)}, {local(_wall(last.at), zone):%H:%M:%S}",
            })
        oldest = self.outbox.oldest_undelivered()
        return {
            "chart": usage_chart(minutes, limit=usage.limit, headroom=self.settings.brightpearl_headroom, zone=zone),
            "hour": {
                "requests": sum(m.requests for m in minutes),
                "errors": sum(m.errors for m in minutes),
                "throttled": sum(m.throttled for m in minutes),
            },
            "budget": {
                "limit": usage.limit,
                "headroom": self.settings.brightpearl_headroom,
                "ours_last_minute": usage.requests_last_minute(),
                "remaining": state["requests_remaining"],
                "paused_for": state["paused_for"],
            },
            "breakers": breakers,
            "breakers_open": [b["family"] for b in breakers if b["state"] != "closed"],
            "families": usage.families(),
            "cache": {
                "since_start": _rate(hits, misses),
                "lookups_since_start": hits + misses,
                "last_hour": _rate(hour_hits, hour_misses),
                "lookups_last_hour": hour_hits + hour_misses,
            },
            "outbox": {
                "pending": self.outbox.pending_count(),
                "failed": len(self.outbox.failed_items()),
                "oldest": oldest,
            },
            "last_webhook": last_webhook_received(),
        }


def describe(outcome: Outcome) -> str:
    if outcome.status is None:
        return "no answer"
    if outcome.throttled:
        return f"throttled ({outcome.status})"
    return f"HTTP {outcome.status}"


def _rate(hits: int, misses: int) -> float | None:
    return hits / (hits + misses) if hits + misses else None


def _wall(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


# --- the chart ----------------------------------------------------------------------------------
# Geometry in the SVG's own units (viewBox): the SVG is as wide as its box, its text scales with it.
WIDTH, HEIGHT = 600, 320
LEFT, RIGHT, TOP, BOTTOM = 58, 10, 20, 42


@dataclass(frozen=True)
class Bar:
    label: str  # the minute, HH:MM on the merchant's clock
    ours: int
    others: int | None
    remaining: int | None
    errors: int
    x: float
    width: float
    ours_y: float
    ours_h: float
    others_y: float
    others_h: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float  # x of the plot's right edge
    top: float
    bottom: float  # y of the plot's base line
    bars: tuple[Bar, ...]
    y_ticks: tuple[tuple[int, float], ...]  # (value, y)
    x_ticks: tuple[tuple[str, float], ...]  # (label, x)
    limit: int
    limit_y: float
    headroom: int
    headroom_y: float
    title: str
    summary: str


def usage_chart(minutes: list[Minute], *, limit: int, headroom: int, zone: tzinfo) -> Chart:
    """Stacked bars per minute (the portal's requests, other apps' estimated ones) under the
    limit line and the headroom line; every coordinate worked out here, numbers only."""
    top_value = max([limit, *(m.requests + (m.others or 0) for m in minutes)])
    # Room above the highest of the limit and the bars, for the limit's label.
    scale_max = int(math.ceil(top_value * 1.15 / 50.0) * 50)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slot = plot_w / max(1, len(minutes))
    bar_w = round(slot * 0.75, 2)

    def y(value: float) -> float:
        return round(base - plot_h * value / scale_max, 2)

    bars = []
    for i, minute in enumerate(minutes):
        x = round(LEFT + i * slot + (slot - bar_w) / 2, 2)
        ours_y = y(minute.requests)
        others = minute.others or 0
        others_y = y(minute.requests + others)
        bars.append(Bar(
            label=f"{local(_wall(minute.start), zone):%H:%M}",
            ours=minute.requests, others=minute.others, remaining=minute.lowest_remaining, errors=minute.errors,
            x=x, width=bar_w, ours_y=ours_y, ours_h=round(base - ours_y, 2),
            others_y=others_y, others_h=round(ours_y - others_y, 2),
        ))
    step = 50 if scale_max <= 300 else 100
    y_ticks = tuple((v, y(v)) for v in range(0, scale_max + 1, step))
    x_ticks = tuple((bars[i].label, round(bars[i].x + bar_w / 2, 2)) for i in range(0, len(bars), 15))
    if bars:
        x_ticks += (("now", round(bars[-1].x + bar_w / 2, 2)),)
    ours_total = sum(m.requests for m in minutes)
    busiest = max(bars, key=lambda b: b.ours + (b.others or 0), default=None)
    estimated = [m.others for m in minutes if m.others is not None]
    summary = f"In the last hour the portal made {ours_total} requests to Brightpearl"
    if busiest is not None and busiest.ours:
        summary += f"; its busiest minute was {busiest.label} with {busiest.ours}"
    if estimated:
        summary += f"; other apps used at most about {max(estimated)} in a minute"
    else:
        summary += "; how much other apps used is not known (Brightpearl's count came with no answer)"
    summary += f". The limit is {limit} a minute; the portal holds back its background work to leave {headroom} for other apps."
    return Chart(
        width=WIDTH, height=HEIGHT, left=LEFT, right=WIDTH - RIGHT, top=TOP, bottom=base, bars=tuple(bars),
        y_ticks=y_ticks, x_ticks=x_ticks, limit=limit, limit_y=y(limit), headroom=headroom,
        headroom_y=y(max(0, limit - headroom)),
        title="Brightpearl requests per minute, last hour", summary=summary,
    )


# --- the section --------------------------------------------------------------------------------
def section(*, bp: Brightpearl, metrics: Metrics, outbox: Outbox, settings: Settings) -> Section:
    return Section(
        handlers=(health_page, health_check),
        services={"connection_health": for_user(partial(ConnectionHealth, bp, metrics, outbox, settings))},
    )


@get("/admin/health", name="admin_health")
async def health_page(request: Request, connection_health: NamedDependency[ConnectionHealth]) -> Template:
    connection = await connection_health.connection()
    checked = request.query_params.get("done") == "checked"
    return page(request, "views/admin/health.html", connection=connection, checked=checked,
                probe_deadline=PROBE_DEADLINE, **connection_health.report())


@post("/admin/health/check", name="admin_health_check", status_code=200)
async def health_check(request: Request, connection_health: NamedDependency[ConnectionHealth]) -> Response:
    await connection_health.connection(check=True)
    return go(request, with_query(request.app.route_reverse("admin_health"), {"done": "checked"}))
