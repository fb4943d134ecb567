"""Self-hosted customer and supplier portal for Brightpearl merchants."""

__version__ = "0.1.0"
