"""The system area: /healthz, /metrics (its own check), /brand.css and the logo, all public."""

from functools import partial

from litestar.di import Provide

from portal.core.branding import BrandingStore
from portal.core.metrics import Metrics
from portal.core.settings import Settings
from portal.outbox.queue import Outbox
from portal.web.area import Area, for_visitor, site_area

from .routes import Monitoring, brand_css, brand_logo, healthz, metrics_text


def area(*, settings: Settings, metrics: Metrics, outbox: Outbox, branding: BrandingStore) -> Area:
    monitoring = partial(Monitoring, settings, metrics, outbox)
    return site_area(
        "system",
        [healthz, metrics_text, brand_css, brand_logo],
        services={"monitoring": for_visitor(monitoring), "branding": Provide(lambda: branding, use_cache=True, sync_to_thread=False)},
    )
