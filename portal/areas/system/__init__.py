"""The system area: /healthz, /metrics (its own check) and /brand.css, all public."""

from portal.web.area import Area, site_area

from .routes import brand_css, healthz, metrics_text


def area() -> Area:
    return site_area("system", [healthz, metrics_text, brand_css])
