"""Running the portal on a server: backups and restores, the configuration check, the release build.

Stands on core (and the Brightpearl client, for the check); nothing of the web layer or the areas.
"""
