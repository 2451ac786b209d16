"""Signals voc sends; other apps (insights) connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent after commit with ``note_ids: list[int]`` whenever notes are recorded (one or many).
notes_recorded = Signal()
