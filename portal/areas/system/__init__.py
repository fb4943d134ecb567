"""The system area: /healthz, /metrics (its own check) and /brand.css, all public."""

from litestar import Router

from portal.web.area import Area

from .routes import brand_css, healthz, metrics_text


def area() -> Area:
    return Area("system", Router("/", route_handlers=[healthz, metrics_text, brand_css]))
