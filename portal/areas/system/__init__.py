"""The system area: /healthz, /metrics (its own check) and /brand.css, all public."""

from functools import partial

from portal.core.metrics import Metrics
from portal.core.settings import Settings
from portal.outbox.queue import Outbox
from portal.web.area import Area, for_visitor, site_area

from .routes import Monitoring, brand_css, healthz, metrics_text


def area(*, settings: Settings, metrics: Metrics, outbox: Outbox) -> Area:
    monitoring = partial(Monitoring, settings, metrics, outbox)
    return site_area("system", [healthz, metrics_text, brand_css], services={"monitoring": for_visitor(monitoring)})
