"""People and organisation: users, young people's profiles, services and who works in them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.translation import stored_text

# Readable codes: no 0/O, 1/I/L, so a code read aloud or copied from paper survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(raw: str) -> str:
    """Upper-case and drop spaces and dashes, as people copy codes from paper."""
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())


def normalise_reference(raw: str) -> str:
    """An item's reference as people type it ("k7m 4qp") in its stored form ("K7M-4QP")."""
    code = normalise_code(raw)
    return f"{code[:3]}-{code[3:]}" if len(code) == 6 else raw.strip().upper()


def hash_code(code: str) -> str:
    """A keyed hash (HMAC-SHA256 with CODE_HASH_KEY, kept in the settings): a copy of the
    database alone cannot be searched for short codes such as invitation codes."""
    return hmac.new(settings.CODE_HASH_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def legacy_hash_code(code: str) -> str:
    """The unkeyed hash stored before codes were keyed: still accepted, and replaced by
    the keyed one when the code is next used."""
    return hashlib.sha256(code.encode()).hexdigest()


def code_hashes(code: str) -> tuple[str, str]:
    return hash_code(code), legacy_hash_code(code)


class Audience(models.TextChoices):
    IN_CARE = "in_care", _("Child in care")
    CARE_LEAVER = "care_leaver", _("Care leaver")


class ContactMethod(models.TextChoices):
    PORTAL = "portal", _("In this app")
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")


class User(AbstractUser):
    display_name = models.CharField(_("name to show"), max_length=80, blank=True)
    # Staff: where urgent alerts are texted, stored as portal.phones.normalise_uk_mobile gives it.
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    daily_digest = models.BooleanField(
        _("one email a day"),
        default=False,
        help_text=_(
            "New items and reminders come in one email each morning. "
            "Urgent items still come at once."
        ),
    )
    is_complaints_manager = models.BooleanField(
        _("complaints manager"),
        default=False,
        help_text=_("Sees every item and runs the statutory complaints procedure."),
    )
    is_participation_officer = models.BooleanField(
        _("participation officer"),
        default=False,
        help_text=_("Tags items with themes, approves excerpts, agrees actions and runs meetings."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def shown_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def young_person(self) -> YoungPerson | None:
        try:
            return self.young_person_profile
        except YoungPerson.DoesNotExist:
            return None

    @cached_property
    def memberships_list(self) -> list[Membership]:
        return list(self.memberships.select_related("service").filter(service__active=True))

    @cached_property
    def service_ids(self) -> frozenset[int]:
        return frozenset(m.service_id for m in self.memberships_list)

    @cached_property
    def managed_service_ids(self) -> frozenset[int]:
        return frozenset(
            m.service_id for m in self.memberships_list if m.role == Membership.Role.MANAGER
        )

    @cached_property
    def advocacy_service_ids(self) -> frozenset[int]:
        """The services through which they are an advocate: each opens the complaints
        whose young person asked for one."""
        return frozenset(m.service_id for m in self.memberships_list if m.service.provides_advocacy)

    @property
    def is_service_staff(self) -> bool:
        return self.is_complaints_manager or bool(self.service_ids)

    @cached_property
    def is_outside_staff(self) -> bool:
        """An advocate or a partner organisation's worker, in no service of the council's:
        they open the items sent to them and nothing else (no other queue, no dashboard,
        no reports, no young people's accounts, no council pages)."""
        return (
            not self.is_complaints_manager
            and bool(self.memberships_list)
            and all(
                m.service.provides_advocacy or m.service.is_partner for m in self.memberships_list
            )
        )

    @property
    def is_council_member(self) -> bool:
        return bool(self.young_person and self.young_person.council_member)


class YoungPerson(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="young_person_profile"
    )
    audience = models.CharField(_("in care or care leaver"), max_length=20, choices=Audience)
    year_of_birth = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    council_member = models.BooleanField(_("sits on the Children in Care Council"), default=False)
    contact_preference = models.CharField(
        _("how they like to be contacted"),
        max_length=10,
        choices=ContactMethod,
        default=ContactMethod.PORTAL,
    )
    # The services that work with them (set at invitation and by the complaints
    # manager): only their staff may enter a paper postcard in this young person's name.
    services: models.ManyToManyField[Service, Any] = models.ManyToManyField(
        "Service",
        blank=True,
        related_name="young_people",
        verbose_name=_("services that work with them"),
    )

    class Meta:
        verbose_name = _("young person")
        verbose_name_plural = _("young people")

    def __str__(self) -> str:
        return str(self.user)


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        return self.filter(active=True)


class Service(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # How a young person's page names it mid-sentence: "It went to the Fostering team".
    name_in_a_sentence = models.CharField(
        _("name in a sentence"),
        max_length=120,
        blank=True,
        help_text=_('As it reads after "It went to", e.g. "the Fostering team".'),
    )
    slug = models.SlugField(_("short name"), unique=True)
    inbox_email = models.EmailField(_("shared inbox"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_duty_team = models.BooleanField(
        _("safeguarding duty team"),
        default=False,
        help_text=_("Receives anything that reads as a child at risk, at once."),
    )
    is_triage = models.BooleanField(
        _("triage (complaints team)"),
        default=False,
        help_text=_("Receives whatever no route matches, and every complaint."),
    )
    provides_advocacy = models.BooleanField(
        _("provides advocacy"),
        default=False,
        help_text=_(
            "Its advocates open the complaints whose young person asked for one, and answer"
            " them; nothing else."
        ),
    )
    is_partner = models.BooleanField(
        _("partner organisation"),
        default=False,
        help_text=_(
            "Outside the council (an NHS team, say): its staff open only the items sent to"
            " this service, and nothing else of the council's."
        ),
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the reader's language: the seed's names are in the catalogues
        (feedback/seed.py marks them); a service a manager adds is shown as typed."""
        return stored_text(self.name)

    @property
    def in_a_sentence(self) -> str:
        return self.name_in_a_sentence or f"the {self.name}"

    @property
    def display_in_a_sentence(self) -> str:
        """in_a_sentence in the reader's language (the seed's are in the catalogues)."""
        return stored_text(self.in_a_sentence)


class Membership(models.Model):
    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Caseworker")
        MANAGER = "manager", _("Service manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.CASEWORKER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "service"], name="one_membership_per_service")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} - {self.service} ({self.get_role_display()})"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self) -> InvitationQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-use, expiring invitation to create an account.

    Only hashes of the link token and the short code are stored, so a copy of
    the database cannot be used to claim an account.
    """

    class Kind(models.TextChoices):
        YOUNG_PERSON = "young_person", _("Young person")
        STAFF = "staff", _("Staff")

    kind = models.CharField(_("for"), max_length=20, choices=Kind, default=Kind.YOUNG_PERSON)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    audience = models.CharField(
        _("in care or care leaver"), max_length=20, choices=Audience, blank=True
    )
    year_of_birth = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    council_member = models.BooleanField(_("sits on the Children in Care Council"), default=False)
    # Staff: the service they will work in. A young person: the service that works with them.
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("service")
    )
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role, blank=True)
    # Staff: their council email, when they may sign in with their council account
    # (portal/oidc.py): that account, signing in, accepts this invitation.
    email = models.EmailField(_("council email"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} invitation #{self.pk}"

    @classmethod
    def issue(cls, *, created_by: User | None, **fields: object) -> tuple[Invitation, str, str]:
        """Create an invitation; return it with its link token and short code (shown once)."""
        token = secrets.token_urlsafe(32)
        code = random_code(8)
        invitation = cls.objects.create(
            token_hash=hash_code(token),
            code_hash=hash_code(code),
            created_by=created_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
            **fields,
        )
        return invitation, token, code

    def accept(self, *, username: str, password: str | None, email: str = "") -> User | None:
        """Claim this invitation and make its account: a young person's profile, or a
        membership of the service for staff. None if it was used or ran out meanwhile.

        The claim is a conditional update, so a second tab or a replayed form finds
        it used and makes no second account. No password (None): the account signs in
        only with the council's account it was accepted by (portal/oidc.py).
        """
        now = timezone.now()
        with transaction.atomic():
            if not Invitation.objects.usable().filter(pk=self.pk).update(used_at=now):
                return None
            self.used_at = now
            user = User.objects.create_user(username=username, password=password, email=email)
            if self.kind == self.Kind.STAFF:
                if self.service_id:
                    Membership.objects.create(
                        user=user,
                        service_id=self.service_id,
                        role=self.role or Membership.Role.CASEWORKER,
                    )
            else:
                profile = YoungPerson.objects.create(
                    user=user,
                    audience=self.audience or Audience.IN_CARE,
                    year_of_birth=self.year_of_birth,
                    council_member=self.council_member,
                )
                if self.service_id:  # the service that invited them works with them
                    profile.services.add(self.service_id)
            self.used_by = user
            self.save(update_fields=["used_by"])
        return user


class AuditKind(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    SECOND_FACTOR_ADDED = "mfa_added", _("Second factor set up")
    SECOND_FACTOR_REMOVED = "mfa_removed", _("Second factor removed")
    SECOND_FACTOR_FAILED = "mfa_failed", _("Second factor code refused")
    ACCESS_DENIED = "access_denied", _("Access refused")
    EXPORT = "export", _("Export")
    CONFIGURATION = "configuration", _("Configuration changed")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def named(self) -> AuditEntryQuerySet:
        """Each entry with `who`: the username of the member of staff it is about, while
        their account exists; empty for a young person, a deleted account or nobody."""
        staff = User.objects.filter(
            pk=models.OuterRef("user_id"), young_person_profile__isnull=True
        )
        return self.annotate(who=models.Subquery(staff.values("username")[:1]))

    def for_person(self, username: str) -> AuditEntryQuerySet:
        return self.filter(user_id__in=User.objects.filter(username__iexact=username).values("pk"))


class AuditEntry(models.Model):
    """One thing that happened, for the complaints manager and an auditor. Append-only:
    in PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE (migrations 0005, 0009).

    Who is kept only as the account's id, a pseudonym that is never reused: no name,
    not even a member of staff's, because nothing may rewrite a row, so a name written
    here would outlive an erasure or a deleted account. The name is looked up as the
    log is read (`named`), while the person exists. Never a young person's words;
    staff reads of items are their own record (feedback's StaffView).
    """

    kind = models.CharField(_("what"), max_length=20, choices=AuditKind)
    user_id = models.PositiveIntegerField(_("user id"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=45, blank=True)
    item_reference = models.CharField(_("item"), max_length=12, blank=True, db_index=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user_id", "created_at"], name="audit_user")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} #{self.user_id or ''}"

    @property
    def who_shown(self) -> str:
        """The staff name `named()` found while the account exists; else the id ("#42")."""
        name = getattr(self, "who", None)
        return name or (f"#{self.user_id}" if self.user_id else "")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """An app's sign-in for one person (portal.tokens reads it from the Authorization
    header). Only a keyed hash of the token is kept: a copy of the database cannot be
    used to sign in. It records whether the sign-in that made it passed the second
    factor, because the API asks the token that, never the browser that sent it.
    """

    PREFIX = "yv_"
    LIFETIME = timedelta(days=30)
    LONGEST = timedelta(days=90)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Which app it is for."))
    key_hash = models.CharField(_("keyed hash of the token"), max_length=64, unique=True)
    with_second_factor = models.BooleanField(
        _("made after the second factor"), default=False, editable=False
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @classmethod
    def issue(
        cls, *, user: User, name: str, with_second_factor: bool, lifetime: timedelta | None = None
    ) -> tuple[ApiToken, str]:
        """A new token and its one-time readable value, which is never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_code(raw),
            with_second_factor=with_second_factor,
            expires_at=timezone.now() + min(lifetime or cls.LIFETIME, cls.LONGEST),
        )
        return token, raw

    def revoke(self, *, by: User) -> bool:
        """Revoke it; False if it already was (revoking twice changes nothing)."""
        if self.revoked_at is not None:
            return False
        self.revoked_at = timezone.now()
        self.revoked_by = by
        self.save(update_fields=["revoked_at", "revoked_by"])
        return True


class DailyRun(models.Model):
    """A daily job's run on one day (Europe/London): portal.daily runs each once a day
    however often beat asks or restarts."""

    job = models.CharField(max_length=60)
    day = models.DateField()
    ran_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="daily_run_once")]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"


class Heartbeat(models.Model):
    """When beat last ticked, and when each queue's worker last ran its heartbeat task:
    /healthz reads them (portal.heartbeats)."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%H:%M:%S}"
