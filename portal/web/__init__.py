"""The web layer: the composition root (app, components, routes, dependencies, tasks) and the
helpers every area uses (area, rendering, htmx, listing, params, navigation, forms, tables)."""
