"""Signals insights sends; later apps (newsletter) connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent when the demo themes exist (after seed_demo's notes were embedded, grouped and accepted).
demo_themes_ready = Signal()
