"""The portal's own foundations: settings, SQLite and its stores, paths, metrics, formatting.

Nothing here imports Litestar or speaks to Brightpearl; every other layer may import it.
"""
