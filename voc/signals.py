"""Signals voc sends; other apps (insights) connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent after commit with ``note_ids: list[int]`` whenever notes are recorded (one or many).
notes_recorded = Signal()

# Sent after commit when seed_demo has created the demo notes (insights then builds demo themes).
demo_seeded = Signal()
