"""``seed_demo``: the demo organisation; safe to run again (creates only what is missing)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from voc import demo, demo_programme


class Command(BaseCommand):
    help = "Create a demo organisation. Passwords are printed once; VOC_DEMO_PASSWORD sets one for all."

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo.seed_people(password=os.environ.get("VOC_DEMO_PASSWORD") or None)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {len(created)} demo people. Passwords are shown only now:"))
            self.stdout.write(f"  {'username':<16} {'role':<10} {'site':<12} password")
            for c in created:
                self.stdout.write(f"  {c.username:<16} {c.role:<10} {c.site:<12} {c.password}")
        else:
            self.stdout.write("Demo people already exist; nothing to add.")
        notes = demo.seed_notes()
        if notes:
            self.stdout.write(self.style.SUCCESS(f"Created {notes} demo notes over the last 10 weeks."))
            self.stdout.write("The Celery worker now embeds them and proposes themes (a few minutes, once).")
        else:
            self.stdout.write("Demo notes already exist; nothing to add.")
        programme = demo_programme.seed_programme()
        if programme["cases"]:
            self.stdout.write(
                f"Executive programme: {programme['cases']} complaint cases, "
                f"{programme['sessions']} listening sessions."
            )
