"""``seed_demo``: the demo organisation; safe to run again (creates only what is missing)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from voc.demo import programme as demo_programme
from voc.demo import seed as demo


class Command(BaseCommand):
    help = (
        "Create a demo organisation. Passwords it makes up are printed once; VOC_DEMO_PASSWORD sets "
        "one for all (never printed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = os.environ.get("VOC_DEMO_PASSWORD") or None
        created = demo.seed_people(password=chosen)
        if created:
            # A password the operator chose is theirs already: printing it would only copy it
            # into terminal scroll-back and CI logs. Made-up ones are shown, once, or lost.
            if chosen:
                heading = f"Created {len(created)} demo people, all with the password in VOC_DEMO_PASSWORD:"
                self.stdout.write(self.style.SUCCESS(heading))
            else:
                self.stdout.write(
                    self.style.SUCCESS(f"Created {len(created)} demo people. Passwords are shown only now:")
                )
            self.stdout.write(f"  {'username':<16} {'role':<10} {'site':<12}{'' if chosen else ' password'}")
            for c in created:
                secret = "" if chosen else f" {c.password}"
                self.stdout.write(f"  {c.username:<16} {c.role:<10} {c.site:<12}{secret}")
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
