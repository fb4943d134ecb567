"""One package per site area: its routes (one router with the area's guard), its services and
its forms. An area never imports another area: what two areas share lives in portal.domain
(rules) or portal.core (foundations)."""
