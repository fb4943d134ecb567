"""Setting a login's password and mailing reset links: the steps the password pages and the
admin's account page share.

A new password (reset, change, or a temporary one an admin sets) ends every session of the
login and every reset link still unused, in that order, and is audited; the person is mailed a
notice unless an admin set a temporary one (the admin hands that over themselves).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.core.audit import Audit
from portal.core.users import User, UserStore
from portal.mail import Mail
from portal.security.tokens import Tokens

RESET = "password-reset"


def reset_path(token: str) -> str:
    """The path of a reset link (the passwords area's `password_reset_form` route)."""
    return f"/password/reset/{token}"


def mail_reset_link(
    row: Mapping[str, Any], *, tokens: Tokens, mail: Mail, audit: Audit, ip: str, by: User | None = None
) -> None:
    """Mail the login `row` a new single-use reset link (60 minutes), with its audit row."""
    token = tokens.mint(RESET, row["id"])
    actor_id, actor_email = (by.id, by.email) if by else (row["id"], row["email"])
    mail.submit(
        to=row["email"],
        template="password_reset",
        context={"name": row["name"] or "", "reset_path": reset_path(token)},
        key=f"password-reset:{token[-24:]}",
        user_id=row["id"],
        audit=lambda: audit.record(
            "password_reset_requested", actor_user_id=actor_id, actor_email=actor_email, ip=ip, target=f"user:{row['id']}"
        ),
    )


def store_password(
    row: Mapping[str, Any],
    password_hash: str,
    *,
    users: UserStore,
    tokens: Tokens,
    mail: Mail,
    audit: Audit,
    action: str,
    ip: str,
    temporary: bool = False,
    by: User | None = None,
) -> int:
    """Give login `row` a new password; end its sessions and reset links; audit and notify.
    Returns how many sessions ended."""
    ended = users.change_password(row["id"], password_hash, temporary=temporary)
    tokens.void(RESET, row["id"])
    actor_id, actor_email = (by.id, by.email) if by else (row["id"], row["email"])
    audit.record(action, actor_user_id=actor_id, actor_email=actor_email, ip=ip, target=f"user:{row['id']}",
                 detail={"temporary": temporary})
    audit.record("sessions_ended", actor_user_id=actor_id, actor_email=actor_email, ip=ip,
                 target=f"user:{row['id']}", detail={"sessions": ended, "because": action})
    if not temporary:
        changed = users.row(row["id"])
        mail.submit(
            to=row["email"],
            template="password_changed",
            context={"name": row["name"] or "", "reset_path": "/password/forgot"},
            key=f"{action}:{row['id']}:{changed['password_changed_at'] if changed else ''}",
            user_id=row["id"],
        )
    return ended
