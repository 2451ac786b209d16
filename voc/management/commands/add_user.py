"""``add_user USERNAME --role ROLE [--site NAME [--create-site]] [--email E]``.

The password comes from $VOC_PASSWORD or a prompt."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from voc.accounts import services
from voc.errors import DomainError
from voc.models import User


class Command(BaseCommand):
    help = "Create a person with a role. The password comes from VOC_PASSWORD, else it is prompted for."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=User.Role.values)
        parser.add_argument(
            "--site",
            help="the site's name, any case (agents and leads need one); a name no site has is refused "
            "with the existing ones listed, unless --create-site (or no site exists yet)",
        )
        parser.add_argument("--create-site", action="store_true", help="open a new site called --site")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("VOC_PASSWORD") or self._prompt()
        try:
            with transaction.atomic():
                site, site_created = (
                    services.site_named(name=options["site"], create=options["create_site"])
                    if options["site"]
                    else (None, False)
                )
                user = services.create_user(
                    username=options["username"],
                    role=options["role"],
                    password=password,
                    site=site,
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if site_created:
            self.stdout.write(f"Opened the site {site}.")
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({user.get_role_display()})."))

    def _prompt(self) -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("No password: set VOC_PASSWORD or run interactively.") from None
        if not first:
            raise CommandError("No password: set VOC_PASSWORD or run interactively.")
        if first != second:
            raise CommandError("The passwords do not match.")
        return first
