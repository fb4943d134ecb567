"""Passwords, sessions, request guards and response headers."""
