"""Demo data for `make run`: reference data, one account per persona, a dozen live items,
and the council's year. Safe to run again; it never changes an account that exists.

It lives in the top app (participation) because it seeds every layer below it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from feedback import demo
from feedback.seed import seed_reference_data
from participation.seed import seed_participation

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - public on purpose, demo only
# A fixed TOTP secret for demo staff only, so a newcomer can add it to an authenticator app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - demo only
NOT_PRODUCTION_FLAG = "--i-know-this-is-not-production"


class Command(BaseCommand):
    help = "Create demo accounts and data (idempotent). Refuses outside the embedded demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            NOT_PRODUCTION_FLAG,
            action="store_true",
            dest="not_production",
            help="Run with DEBUG off outside the embedded demo: its passwords are public.",
        )

    def handle(self, *args: Any, not_production: bool = False, **options: Any) -> None:
        if not (settings.DEBUG or settings.PORTAL_EMBEDDED or not_production):
            raise CommandError(
                "seed_demo makes accounts whose password and second factor are public. "
                f"It runs only with PORTAL_EMBEDDED or DEBUG on, or with {NOT_PRODUCTION_FLAG}."
            )
        with transaction.atomic():
            seed_reference_data()
            rows = demo.seed_people(password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
            made = demo.seed_items()
            council = seed_participation(password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})\n")
        for username, persona, extra in rows:
            self.stdout.write(f"  {username:<8} {persona}{extra}")
        for line in council:
            self.stdout.write(line)
        self.stdout.write(f"\n{made} demo items made now." if made else "")
        self.stdout.write(
            f"\nStaff second factor: add the secret {DEMO_TOTP_SECRET} to an authenticator app,"
            " or use one of the recovery codes shown.\n"
        )
