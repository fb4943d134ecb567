"""What customers (and, later, suppliers) see of Brightpearl's order statuses: a label and a
state colour per status, instead of the merchant's internal workflow names ("New phone order",
"Draft / Quote", "Sales credit complete").

Each status of the account has a **rule**: a label ("" = the default), a state, and whether it
is visible. With nothing saved by an admin the default rule of a status comes from Brightpearl:

- its state: **quote** for a status whose state is "draft" (API.md §7.4; without the status
  list, a name saying "draft"/"quote" and not "approved"), **cancelled** for a name saying
  cancel, and otherwise it **follows the order**: received until something is shipped, in
  progress ("Being prepared") once part of it has left (SPS), shipped when everything has (ASS).
  A status saying invoiced, completed or closed (portal.domain.order_states' words) is
  **completed once shipped** (or with nothing to ship, NST): an invoiced order still waiting
  for its goods is not complete for the customer, it follows the order until then;
- its label: the customer's word for that state ("Order received", "Being prepared",
  "Shipped", "Completed", "Cancelled", "Quote"), never Brightpearl's name, which is the
  merchant's internal workflow, written for staff (even "visible" ones such as "Draft / Quote");
- whether it is visible: Brightpearl's `visible` flag ("shown to the customer").

**Hidden** statuses do not hide orders (a customer would think an order lost): an order in one
shows the default label of its state, never the status's own or custom label, and the status
never appears by name in a filter. The status filter lists the labels customers see on their
own orders; filtering by a label finds every order that shows it.

Purchase orders (PO, purchase credits PC) have the same rules with the supplier's words
("Order placed", "Delivered"), for the supplier pages to come.

Admin input is parsed here too (`parse_rules`): label at most `MAX_LABEL` characters, a state
from `STATE_CHOICES`, unknown status ids ignored; any error refuses the whole form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from portal.brightpearl.models import Order, OrderSearchRow, OrderStatus
from portal.domain.order_states import ACCEPTED_WORDS, CANCELLED_WORDS, CLOSED_WORDS, QUOTE_WORDS, OrderState

MAX_LABEL = 40
# "The state follows the order": received, being prepared or shipped by its shipping status.
AUTO = "auto"
# "Completed once shipped (or with nothing to ship); until then it follows the order."
AUTO_DONE = "auto_done"
FOLLOWING = frozenset({AUTO, AUTO_DONE})
STATE_CHOICES: tuple[str, ...] = (AUTO, AUTO_DONE, *(state.value for state in OrderState))
# The admin's words for each choice of state.
STATE_NAMES: Mapping[str, str] = MappingProxyType({
    AUTO: "Follows the order (received, being prepared, shipped)",
    AUTO_DONE: "Completed once shipped (until then, follows the order)",
    OrderState.RECEIVED: "Received",
    OrderState.PROGRESS: "In progress",
    OrderState.SHIPPED: "Shipped",
    OrderState.DONE: "Completed",
    OrderState.CANCELLED: "Cancelled",
    OrderState.QUOTE: "Quote",
})
_SALES_LABELS = {
    OrderState.QUOTE: "Quote",
    OrderState.RECEIVED: "Order received",
    OrderState.PROGRESS: "Being prepared",
    OrderState.SHIPPED: "Shipped",
    OrderState.DONE: "Completed",
    OrderState.CANCELLED: "Cancelled",
}
_CREDIT_LABELS = {
    **_SALES_LABELS,
    OrderState.RECEIVED: "Credit in progress",
    OrderState.PROGRESS: "Credit in progress",
    OrderState.SHIPPED: "Credit in progress",
    OrderState.DONE: "Credit completed",
}
_PURCHASE_LABELS = {
    OrderState.QUOTE: "Draft",
    OrderState.RECEIVED: "Order placed",
    OrderState.PROGRESS: "In progress",
    OrderState.SHIPPED: "Delivered",
    OrderState.DONE: "Completed",
    OrderState.CANCELLED: "Cancelled",
}
# The default label of each state, by Brightpearl's orderTypeCode.
DEFAULT_LABELS: Mapping[str, Mapping[OrderState, str]] = MappingProxyType({
    "SO": MappingProxyType(_SALES_LABELS),
    "SC": MappingProxyType(_CREDIT_LABELS),
    "PO": MappingProxyType(_PURCHASE_LABELS),
    "PC": MappingProxyType({**_CREDIT_LABELS, OrderState.QUOTE: "Draft"}),
})
SALES_CODES = ("SO", "SC")
PURCHASE_CODES = ("PO", "PC")
# orderShippingStatusId (order-search) -> shippingStatusCode (order GET), API.md §7.4.
SHIPPING_CODES: Mapping[int, str] = MappingProxyType({1: "NST", 2: "SNS", 3: "SPS", 4: "ASS"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Shown:
    """What a customer sees of one order's status: its label and its state (the colour,
    CSS class `status--<state>`)."""

    label: str
    state: str


@dataclass(frozen=True, slots=True)
class StatusRule:
    """How one status is shown. `label` "" and `state` AUTO are the defaults; `default_*` are
    what Brightpearl's flags give, for the admin page's placeholders and the reset."""

    status_id: int
    name: str  # Brightpearl's (internal) name: the admin page shows it, customers never do
    type_code: str
    color: str
    label: str
    state: str
    visible: bool
    default_state: str
    default_visible: bool

    @property
    def is_default(self) -> bool:
        return not self.label and self.state == self.default_state and self.visible == self.default_visible

    @property
    def default_label(self) -> str:
        """The label shown when none is set: the state's (for AUTO, "received" until shipped)."""
        return state_label(self.type_code, self.state if self.state not in FOLLOWING else OrderState.RECEIVED)

    def previews(self) -> list[Shown]:
        """What customers may see of this status: one label, or one per shipping state."""
        codes = ("SNS", "SPS", "ASS") if self.state in FOLLOWING else ("",)
        return [self.shown(code) for code in codes]

    def shown(self, shipping_code: str) -> Shown:
        state = self.state if self.state not in FOLLOWING else _state_by_shipping(shipping_code, self.state == AUTO_DONE)
        label = self.label if self.visible and self.label else state_label(self.type_code, state)
        return Shown(label, str(state))

    def saved(self) -> dict[str, Any]:
        """The stored form of the rule (portal.core.status_map)."""
        return {"label": self.label, "state": self.state, "visible": self.visible}


def state_label(type_code: str, state: str) -> str:
    labels = DEFAULT_LABELS.get(type_code, DEFAULT_LABELS["SO"])
    return labels[OrderState(state)]


def _state_by_shipping(code: str, done_when_shipped: bool = False) -> OrderState:
    code = code.strip().upper()
    if done_when_shipped and code in ("ASS", "NST"):
        return OrderState.DONE
    if code == "ASS":
        return OrderState.SHIPPED
    # Stock allocation is the warehouse's business: in progress once part of it has left.
    if code == "SPS":
        return OrderState.PROGRESS
    return OrderState.RECEIVED


def default_state(name: str, *, draft: bool | None = None) -> str:
    """The default state of a status called `name`; `draft` is Brightpearl's flag when the
    status list was read (None: tell a quote by its name)."""
    quote = draft if draft is not None else bool(QUOTE_WORDS.search(name)) and not ACCEPTED_WORDS.search(name)
    if quote:
        return OrderState.QUOTE.value
    if CANCELLED_WORDS.search(name):
        return OrderState.CANCELLED.value
    if CLOSED_WORDS.search(name):
        return AUTO_DONE
    return AUTO


def default_rule(status: OrderStatus) -> StatusRule:
    state = default_state(status.name, draft=status.state.strip().casefold() == "draft")
    code = status.order_type_code or "SO"
    return StatusRule(status.id, status.name, code, status.color, "", state, status.visible, state, status.visible)


def _with_saved(rule: StatusRule, saved: Mapping[str, Any] | None) -> StatusRule:
    if not saved:
        return rule
    label = saved.get("label") if isinstance(saved.get("label"), str) else ""
    state = saved.get("state") if saved.get("state") in STATE_CHOICES else rule.default_state
    visible = saved.get("visible") if isinstance(saved.get("visible"), bool) else rule.default_visible
    return StatusRule(rule.status_id, rule.name, rule.type_code, rule.color, clean_label(label)[:MAX_LABEL], state,
                      visible, rule.default_state, rule.default_visible)


def clean_label(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class StatusLabels:
    """The rules of every status of the account, from its status list and the saved rules.

    Built once per change of either (portal.core.status_map.StatusMap.derived): pages ask it
    per order, which must cost a dictionary lookup."""

    def __init__(self, statuses: Mapping[int, OrderStatus], saved: Mapping[int, Mapping[str, Any]]) -> None:
        self.saved = saved
        self.rules: Mapping[int, StatusRule] = MappingProxyType({
            sid: _with_saved(default_rule(status), saved.get(sid)) for sid, status in statuses.items()
        })

    def rule(self, status_id: int, name: str = "", type_code: str = "SO") -> StatusRule:
        """The rule of a status; one the list does not have (or without the list) follows the
        saved rule of its id, else the order's own status name."""
        found = self.rules.get(status_id)
        if found is not None:
            return found
        state = default_state(name)
        # Without Brightpearl's flag a status is visible: its default label is the state's anyway.
        rule = StatusRule(status_id, name, type_code or "SO", "", "", state, True, state, True)
        return _with_saved(rule, self.saved.get(status_id))

    def for_order(self, order: Order) -> Shown:
        return self.rule(order.status_id, order.status_name, order.order_type_code or "SO").shown(order.shipping_status_code)

    def for_row(self, row: OrderSearchRow, type_code: str = "SO") -> Shown:
        """An order-search row (no status name: it follows the list or the saved rule)."""
        return self.rule(row.status_id, "", type_code).shown(SHIPPING_CODES.get(row.shipping_status_id, ""))

    def of_types(self, codes: tuple[str, ...]) -> list[StatusRule]:
        """The rules of these order types, type by type in the order of `codes`, each in the
        account's order (its list is sorted)."""
        return [rule for code in codes for rule in self.rules.values() if rule.type_code == code]


def rule_to_store(rule: StatusRule) -> dict[str, Any] | None:
    """What to keep of a rule: nothing when it is the default (so a reset is an absence)."""
    return None if rule.is_default else rule.saved()


@dataclass(frozen=True)
class ParsedRules:
    """The admin's form, read: the rules to store (by status id; defaults absent), the status
    ids whose rule changed, and the errors by field name (nothing may be stored then)."""

    rules: Mapping[int, StatusRule]
    changed: tuple[int, ...]
    errors: Mapping[str, str]


def parse_rules(labels: StatusLabels, form: Mapping[str, str]) -> ParsedRules:
    """Read `label-<id>`, `state-<id>` and `visible-<id>` for the statuses of the account.
    A status whose `state-<id>` is absent keeps its rule (it was not on the page: new in
    Brightpearl since); any other field name is ignored."""
    errors: dict[str, str] = {}
    rules: dict[int, StatusRule] = {}
    changed: list[int] = []
    for sid, rule in labels.rules.items():
        state = form.get(f"state-{sid}")
        if state is None:
            rules[sid] = rule
            continue
        raw = form.get(f"label-{sid}", "")
        label = clean_label(raw)
        if len(label) > MAX_LABEL:
            errors[f"label-{sid}"] = f"Use at most {MAX_LABEL} characters (this one has {len(label)})."
        elif any(ord(ch) < 32 for ch in raw if ch not in "\t\r\n"):
            errors[f"label-{sid}"] = "Use letters, digits and punctuation only."
        if state not in STATE_CHOICES:
            errors[f"state-{sid}"] = "Choose a state from the list."
            state = rule.state
        visible = form.get(f"visible-{sid}") in ("1", "on", "true")
        new = StatusRule(rule.status_id, rule.name, rule.type_code, rule.color, label[:MAX_LABEL], state, visible,
                         rule.default_state, rule.default_visible)
        rules[sid] = new
        if new.saved() != rule.saved():
            changed.append(sid)
    return ParsedRules(MappingProxyType(rules), tuple(changed), MappingProxyType(errors))


def stored_form(rules: Mapping[int, StatusRule]) -> dict[str, dict[str, dict[str, Any]]]:
    """The value kept under the settings key: sales (SO, SC) and purchase (PO, PC) statuses
    apart, only those that differ from their default."""
    value: dict[str, dict[str, dict[str, Any]]] = {"sales": {}, "purchase": {}}
    for sid, rule in rules.items():
        kept = rule_to_store(rule)
        if kept is not None:
            value["purchase" if rule.type_code in PURCHASE_CODES else "sales"][str(sid)] = kept
    return value
