"""Mail: messages rendered from templates, committed to the outbox with the action that caused
them, and delivered by the same durable queue as Brightpearl's writes (docs/mail.md).

Sending one (the composition root gives areas `components.mail`):

    item = mail.submit(
        to="alice@example.com",
        template="password_reset",             # mail/password_reset.txt and .html
        context={"reset_path": "/reset/abc"},  # what the templates use, besides the branding
        key=f"reset:{token_id}",               # idempotency: the same key never mails twice
        user_id=user.id,                       # None for a visitor (registration)
        audit=lambda: audit.record(...),       # committed in the same transaction
    )

`submit` renders the message at once (what is committed is what is sent) and commits it as
outbox kind "mail"; the worker is woken and sends it, retrying with the queue's backoff.
`mail.render(template, context)` gives the Rendered (subject, text, html) without sending.

Writing a message `name` means two files in the top-level `mail/` folder:

    mail/<name>.txt    {% extends "mail/_base.txt" %}
                       {% block subject %}Reset your password for {{ site_name }}{% endblock %}
                       {% block body %}…plain text…{% endblock %}
    mail/<name>.html   {% extends "mail/_base.html" %}
                       {% block body %}…HTML; inline style= only (mail clients drop <style>)…{% endblock %}

- The subject is the `subject` block of the .txt (whitespace collapsed to single spaces); the
  .html gets it as `{{ subject }}`. .html is autoescaped, .txt is not.
- Links are absolute, made from PORTAL_BASE_URL, never from a request's Host (REC-04):
  `{{ link("/reset/abc") }}`, `{{ link("/orders/" ~ order_id, tab="notes") }}`. `link` takes a
  path only (a full URL raises); pass paths from `request.app.route_reverse(...)` in `context`.
  Python code gets the same URLs from `mail.link(path, **query)`.
- Every template gets the branding (portal.mail.templates.Branding): `site_name`,
  `brand_colour`, `accent_colour`, `base_url`, `login_url`, `merchant_email`,
  `merchant_phone` and `logo_url` (None until the admin area uploads a logo: pass
  `Mail(..., branding=callable)` to supply it). Context keys of those names are overridden.
- `{% from "mail/_macros.html" import button %}` gives `button(href, label)`: a link styled as
  a button in the brand colour. Filters: `money`, `day`, `day_time` (merchant's time zone).
- `mail/test_message` is the sample (the admin mailbox page sends it; the tests read it).

Settings: PORTAL_SMTP_URL (portal.core.smtp_url: smtp:// with STARTTLS when offered, and
required with credentials on port 587; smtps:// for implicit TLS), PORTAL_MAIL_FROM (default
`portal@<host of PORTAL_BASE_URL>`, see message.sender), PORTAL_MAIL_REPLY_TO (default
PORTAL_MERCHANT_EMAIL, else no Reply-To). Without PORTAL_SMTP_URL every message is kept in the
local mailbox (the `mailbox` table, /admin/mailbox) instead of being sent.

Exactly once, and its limit: the queue never runs two attempts at once and an item is done once
the server accepted it. But SMTP has no idempotency key: when the connection is lost after the
server accepted the DATA and before the portal heard its "250", the outcome is unknown and the
next attempt sends the message again. It sends it with the same Message-ID (derived from the
outbox item), so a receiving system can recognise the repeat. The local mailbox has no such
gap: it keeps each Message-ID once.
"""

from portal.core.smtp_url import SmtpUrl, SmtpUrlError, parse_smtp_url

from .mailbox import Mailbox, MailboxEntry
from .service import KIND, Mail
from .templates import Branding, MailTemplateError, Rendered

__all__ = [
    "KIND",
    "Branding",
    "Mail",
    "MailTemplateError",
    "Mailbox",
    "MailboxEntry",
    "Rendered",
    "SmtpUrl",
    "SmtpUrlError",
    "parse_smtp_url",
]
