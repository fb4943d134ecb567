"""A Brightpearl REST API look-alike with deterministic demo data (see app.py)."""

from portal.sandbox.app import Sandbox, SandboxConfig, SandboxConnectionLost
from portal.sandbox.demo import DEMO_PASSWORD, DEMO_USERS

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "Sandbox", "SandboxConfig", "SandboxConnectionLost"]
