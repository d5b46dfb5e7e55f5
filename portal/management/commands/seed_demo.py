"""Demo data: services, topics, routes and one account per persona. Safe to run again."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.models import Audience, Membership, Service, User, YoungPerson

DEMO_PASSWORD = "demo-portal-2026"
# A fixed TOTP secret for demo staff only, so a newcomer can add it to an authenticator app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

PEOPLE = [
    # username, display name, persona, audience or service slug, role
    ("jade", "Jade", "young person (in care)", Audience.IN_CARE, None),
    ("sam", "Sam", "care leaver", Audience.CARE_LEAVER, None),
    ("alex", "Alex", "Children in Care Council member", Audience.IN_CARE, "council"),
    (
        "casey",
        "Casey Caseworker",
        "caseworker, Leaving Care Team",
        "leaving-care",
        Membership.Role.CASEWORKER,
    ),
    (
        "morgan",
        "Morgan Manager",
        "service manager, Leaving Care Team",
        "leaving-care",
        Membership.Role.MANAGER,
    ),
    ("chris", "Chris Complaints", "complaints manager", "complaints", Membership.Role.MANAGER),
    ("dana", "Dana Duty", "safeguarding duty worker", "duty", Membership.Role.CASEWORKER),
]


class Command(BaseCommand):
    help = "Create demo services, topics, routes and one account per persona (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        from feedback.seed import seed_reference_data

        with transaction.atomic():
            seed_reference_data()
            rows = [self._person(*person) for person in PEOPLE]
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})\n")
        for username, persona, extra in rows:
            self.stdout.write(f"  {username:<8} {persona}{extra}")
        self.stdout.write(
            f"\nStaff second factor: add the secret {DEMO_TOTP_SECRET} to an authenticator app,"
            " or use one of the recovery codes shown.\n"
        )

    def _person(
        self, username: str, name: str, persona: str, where: str, role: str | None
    ) -> tuple[str, str, str]:
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": name, "email": f"{username}@example.org"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role in (None, "council"):
            YoungPerson.objects.get_or_create(
                user=user,
                defaults={
                    "audience": where,
                    "council_member": role == "council",
                    "year_of_birth": 2010 if where == Audience.IN_CARE else 2005,
                },
            )
            return username, persona, ""
        service = Service.objects.get(slug=where)
        Membership.objects.get_or_create(user=user, service=service, defaults={"role": role})
        if username == "chris" and not user.is_complaints_manager:
            user.is_complaints_manager = True
            user.save(update_fields=["is_complaints_manager"])
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        codes = RecoveryCodes.activate(user).get_unused_codes()[:2]
        return username, persona, f"  (recovery codes: {', '.join(codes)})"
