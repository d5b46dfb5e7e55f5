"""What the API shows, and the shapes it documents for what it takes.

The request serializers describe the bodies for the schema; the page's forms parse and
check them (feedback.api), so a rule about an answer has one owner.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feedback.forms import MAX_WORDS, contact_choices
from feedback.models import Event, Identity, Item, Kind, Mood, Notification, Outcome, Topic
from feedback.services import STAFF_STATUSES
from portal import channels, phones
from portal.api import ID, NO_NUL, SAID, SAID_PATTERN
from portal.models import Audience, ContactMethod


class TopicSerializer(serializers.ModelSerializer[Topic]):
    # In the language asked for (Accept-Language), as on the form.
    name = serializers.CharField(source="display_name", read_only=True)
    description = serializers.CharField(source="display_description", read_only=True)

    class Meta:
        model = Topic
        fields = ["id", "slug", "name", "description", "audience"]


class EventSerializer(serializers.ModelSerializer[Event]):
    """One entry of the timeline as the young person reads it."""

    kind_label = serializers.CharField(source="get_kind_display")
    who = serializers.CharField(source="actor_label")

    class Meta:
        model = Event
        fields = ["kind", "kind_label", "who", "body", "created_at"]


class StaffEventSerializer(EventSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "visibility", "actor"]


class YoungPersonItemSerializer(serializers.ModelSerializer[Item]):
    topic = serializers.CharField(source="topic.display_name")
    service = serializers.CharField(source="service.name", default=None, allow_null=True)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Item
        fields = [
            "reference",
            "kind",
            "topic",
            "status",
            "status_label",
            "service",
            "due_on",
            "created_at",
        ]


class YoungPersonItemDetailSerializer(YoungPersonItemSerializer):
    words = serializers.CharField()
    stage = serializers.IntegerField(allow_null=True)
    timeline = serializers.SerializerMethodField()

    class Meta(YoungPersonItemSerializer.Meta):
        fields = [*YoungPersonItemSerializer.Meta.fields, "words", "stage", "timeline"]

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, item: Item) -> list[Any]:
        events = item.events.for_young_person().order_by("created_at", "id")
        return list(EventSerializer(events, many=True).data)


class StaffItemSerializer(YoungPersonItemSerializer):
    class Meta(YoungPersonItemSerializer.Meta):
        fields = [
            *YoungPersonItemSerializer.Meta.fields,
            "priority",
            "safeguarding",
            "stage",
            "clock",
            "identity",
            "words",
        ]


class StaffItemDetailSerializer(StaffItemSerializer):
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True)
    timeline = serializers.SerializerMethodField()

    class Meta(StaffItemSerializer.Meta):
        fields = [*StaffItemSerializer.Meta.fields, "assignee", "timeline"]

    @extend_schema_field(StaffEventSerializer(many=True))
    def get_timeline(self, item: Item) -> list[Any]:
        events = item.events.select_related("actor").order_by("created_at", "id")
        return list(StaffEventSerializer(events, many=True).data)


class HelpNowSerializer(serializers.Serializer[dict[str, str]]):
    """The "get help now" information the page shows when the words read as risk."""

    message = serializers.CharField()
    emergency = serializers.CharField()
    childline = serializers.CharField()
    duty_team = serializers.CharField()


def help_now() -> dict[str, str]:
    return {
        "message": _(
            "What you wrote sounds like you might not be safe. We have sent it to the "
            "team that helps keep children safe, straight away."
        ),
        "emergency": "999",
        "childline": "0800 1111",
        "duty_team": settings.DUTY_TEAM_PHONE,
    }


class SentSerializer(serializers.Serializer[dict[str, object]]):
    item = YoungPersonItemSerializer()
    tracking_code = serializers.CharField(
        allow_null=True, help_text="Anonymous items only, and only to the request that made it."
    )
    help_now = HelpNowSerializer(allow_null=True)


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    reference = serializers.CharField(source="item.reference", default=None, allow_null=True)

    class Meta:
        model = Notification
        fields = ["reference", "subject", "body", "created_at", "read_at"]


# --- Request bodies (for the schema; the page's forms check them) ---------------------


class SubmitRequest(serializers.Serializer[dict[str, object]]):
    kind = serializers.ChoiceField(choices=Kind.choices)
    topic = serializers.IntegerField(help_text="A topic's id, from /api/v1/topics/.", **ID)
    words = serializers.CharField(max_length=MAX_WORDS, validators=SAID)
    identity = serializers.ChoiceField(choices=Identity.choices)
    audience = serializers.ChoiceField(
        choices=Audience.choices,
        help_text="Asked of everyone; for a person with an account, their own is used.",
    )
    mood = serializers.ChoiceField(
        choices=Mood.choices, required=False, allow_null=True, allow_blank=True
    )
    consent_to_share = serializers.BooleanField(required=False)
    contact_wanted = serializers.ChoiceField(choices=["yes", "no"], required=False)
    contact_method = serializers.ChoiceField(choices=ContactMethod.choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Text only when texts can be sent, as the page offers (feedback.forms).
        cast(serializers.ChoiceField, self.fields["contact_method"]).choices = contact_choices()

    contact_detail = serializers.CharField(
        max_length=254, required=False, allow_blank=True, validators=NO_NUL
    )
    advocate_requested = serializers.BooleanField(required=False)


class PaperRequest(SubmitRequest):
    young_person = serializers.CharField(
        max_length=150, required=False, allow_blank=True, validators=NO_NUL
    )


class TrackRequest(serializers.Serializer[dict[str, str]]):
    reference = serializers.CharField(max_length=20, validators=SAID)
    code = serializers.CharField(max_length=30, validators=SAID)


class TextRequest(serializers.Serializer[dict[str, str]]):
    text = serializers.CharField(max_length=MAX_WORDS, validators=SAID)
    key = serializers.CharField(
        max_length=36,
        required=False,
        allow_blank=True,
        validators=NO_NUL,
        help_text="Acts once per key.",
    )


class StaffReplyRequest(TextRequest):
    saved_reply = serializers.IntegerField(required=False, **ID)
    as_team = serializers.BooleanField(required=False)
    change = serializers.ChoiceField(choices=["", "planned", "made"], required=False)
    change_description = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, validators=NO_NUL
    )


class SortedRequest(serializers.Serializer[dict[str, str]]):
    answer = serializers.ChoiceField(choices=["yes", "no"])


class NextStageRequest(serializers.Serializer[dict[str, int]]):
    from_stage = serializers.IntegerField(min_value=1, max_value=3)


class ReasonRequest(serializers.Serializer[dict[str, str]]):
    reason = serializers.CharField(max_length=1000, validators=SAID)


class StageRequest(ReasonRequest):
    from_stage = serializers.IntegerField(min_value=1, max_value=3)


class RerouteRequest(ReasonRequest):
    service = serializers.IntegerField(help_text="The service's id.", **ID)


class AssignRequest(serializers.Serializer[dict[str, object]]):
    assignee = serializers.IntegerField(allow_null=True, required=False, **ID)


class StatusRequest(serializers.Serializer[dict[str, str]]):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in STAFF_STATUSES])


class ResolveRequest(serializers.Serializer[dict[str, str]]):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True)
    text = serializers.CharField(
        max_length=MAX_WORDS, required=False, allow_blank=True, validators=NO_NUL
    )
    key = serializers.CharField(max_length=36, required=False, allow_blank=True, validators=NO_NUL)


# How to get in touch, as the form checks it (SubmissionForm._parse_contact and
# submission.check_answers): patterns a little narrower than the form's, so that anything
# they allow, it takes.
EMAIL_PATTERN = (
    r"^[A-Za-z0-9_%+-]{1,30}(\.[A-Za-z0-9_%+-]{1,30}){0,3}"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,20}$"
)


def _contact_by(methods: list[str], detail: str | None = None) -> dict[str, Any]:
    required = ["identity", "contact_wanted", "contact_method"]
    properties: dict[str, Any] = {
        # Anonymous means nobody knows who to get in touch with.
        "identity": {"enum": [Identity.NAMED.value, Identity.CONFIDENTIAL.value]},
        "contact_wanted": {"enum": ["yes"]},
        "contact_method": {"enum": methods},
    }
    if detail:
        required.append("contact_detail")
        properties["contact_detail"] = {"type": "string", "pattern": detail}
    return {"required": required, "properties": properties}


def rules_across_fields(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A schema hook: the rules that span fields, which no one field's schema can say,
    as the choices a body has. Sending: no contact, or contact one way, fully given. A
    staff reply: no change, or a change with what it is (services.staff_reply)."""
    for schema in result.get("components", {}).get("schemas", {}).values():
        if "change_description" in schema.get("properties", {}):
            schema["anyOf"] = [
                {"properties": {"change": {"enum": [""]}}},
                {
                    "required": ["change", "change_description"],
                    "properties": {
                        "change": {"enum": ["planned", "made"]},
                        "change_description": {"type": "string", "pattern": SAID_PATTERN},
                    },
                },
            ]
        if "contact_wanted" in schema.get("properties", {}):
            schema["anyOf"] = [
                {"properties": {"contact_wanted": {"enum": ["no"]}}},
                _contact_by([ContactMethod.PORTAL.value]),
                _contact_by([ContactMethod.EMAIL.value], EMAIL_PATTERN),
                _contact_by([ContactMethod.PHONE.value], phones.PHONE_PATTERN),
                *(
                    [_contact_by([ContactMethod.TEXT.value], phones.MOBILE_PATTERN)]
                    if channels.texts_configured()
                    else []
                ),
            ]
    return result
