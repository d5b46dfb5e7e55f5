"""The API's pieces that belong to no one app: the error shape, refusals beside their
field, the checks every endpoint makes of its answers, and people's tokens.

A person makes a token for an app from a signed-in browser (never with another token),
lists theirs, and revokes any of them; the complaints manager sees and revokes anyone's.
Staff must have confirmed their second factor in the last few minutes to make one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from portal.models import ApiToken, User
from portal.permissions import token_of
from portal.refusals import KeyReused, Refused
from portal.tokens import make_token, may_make_one_now, revoke_token, tokens_for

# What the pages' forms refuse, said in the schema so that an app (and schemathesis)
# knows: no NUL character anywhere (the database cannot hold one), and an answer that
# must be given is more than spaces (the forms strip them). Ids are positive.
NO_NUL = [RegexValidator(r"^[^\x00]*$")]
SAID_PATTERN = r"^[^\x00]*[^\x00\s][^\x00]*$"
SAID = [RegexValidator(SAID_PATTERN)]
ID: dict[str, Any] = {"min_value": 1, "max_value": 2**31 - 1}


class ErrorSerializer(serializers.Serializer[dict[str, str]]):
    message = serializers.CharField(help_text="What went wrong, in words a person can read.")
    field = serializers.CharField(allow_null=True, help_text="The answer it is about, if any.")


def responses(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """The answers an endpoint can give: its own, each error it can raise, and the limits."""
    return {**ok, **dict.fromkeys((*codes, 429), ErrorSerializer)}


# The errors a reading endpoint and a writing one can give, for `responses`.
READ = (403, 404)
WRITE = (400, 403, 404, 409)


# --- Errors: one shape ---------------------------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "That cannot be done now."


class FieldError(exceptions.ValidationError):
    """A 400 about one answer, with the page's own message."""

    def __init__(self, message: str, field: str | None) -> None:
        # DRF turns every value into text ("None" too): no field is the empty one here.
        super().__init__({"message": message, "field": field or ""})


class MissingChoice(exceptions.NotFound):
    """An answer naming something that does not exist or is not the caller's to name (a
    topic, a colleague, a service): a 404 beside the field, as Stripe's resource_missing,
    since the request itself was well formed."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__({"message": message, "field": field})


def _first_error(detail: Any, field: str | None = None) -> tuple[str, str | None]:
    if isinstance(detail, Mapping):
        if "message" in detail and "field" in detail:
            return str(detail["message"]), str(detail["field"]) or None
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__", "detail") else str(key)
            return _first_error(value, field or name)
        return "", field
    if isinstance(detail, list) and detail:
        return _first_error(detail[0], field)
    return str(detail), field


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as {"message": ..., "field": ...}: a sentence a person can read, and
    the answer it belongs to (null when it is about the item or the request). Settings
    point the whole API here (REST_FRAMEWORK["EXCEPTION_HANDLER"])."""
    if isinstance(exc, KeyReused):
        # A key reused with other answers conflicts with what it already made: 409, and
        # nothing saved (the Idempotency-Key draft suggests 422, which API fuzzers and
        # clients read as "your data was invalid"; it was not). Send again under a new key.
        exc = Conflict(
            _("That Idempotency-Key was used with different answers. Use a new key to send them.")
        )
    elif isinstance(exc, Refused):
        # About an answer: the request was wrong. About the thing's state: a conflict.
        exc = FieldError(exc.message, exc.field) if exc.field else Conflict(exc.message)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    message, field = _first_error(response.data)
    response.data = {"message": message, "field": field}
    return response


# --- Answers -------------------------------------------------------------------------


def checked(form: forms.Form, *, names_a_record: tuple[str, ...] = ()) -> dict[str, Any]:
    """The form's answers, or a 400 with its first message beside the field it names
    (a 404 when the answer names a record that is not there: a choice of records, or a
    field in names_a_record, such as a username)."""
    if not form.is_valid():
        name, errors = next(iter(form.errors.as_data().items()))
        # Refused as not there, or (no code: the form's own clean) as not one to choose.
        if name in names_a_record or (
            isinstance(form.fields.get(name), forms.ModelChoiceField)
            and errors[0].code in ("invalid_choice", "invalid_pk_value", None)
        ):
            raise MissingChoice(str(form.errors[name][0]), name)
        raise FieldError(str(form.errors[name][0]), None if name == "__all__" else name)
    return form.cleaned_data


def typed_data(request: Request, shape: type[serializers.Serializer[Any]]) -> Mapping[str, Any]:
    """The answers, once each has the type the schema gives it (the page's form, which
    would read 0 as "0" or "yes" as true, then checks what they mean)."""
    if not isinstance(request.data, Mapping):
        raise FieldError(_("Send the answers as a JSON object."), None)
    check_types(request.data, shape)
    return request.data


def _has_type(field: serializers.Field, value: object) -> bool:
    if isinstance(field, serializers.ChoiceField):  # exactly a choice: 1, not "1" or true
        return any(type(value) is type(choice) and value == choice for choice in field.choices)
    if isinstance(field, serializers.BooleanField):
        return isinstance(value, bool)
    if isinstance(field, serializers.IntegerField):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.CharField):
        return isinstance(value, str)
    if isinstance(field, serializers.ListField):
        return isinstance(value, list) and all(_has_type(field.child, one) for one in value)
    return True


def check_types(data: object, shape: type[serializers.Serializer[Any]]) -> None:
    """Each answer has the type the schema gives it, or a 400 beside it. Django's forms
    read what a browser sends, all text: they would take 0 for "0", "yes" for true and
    {} for no themes, which an app must be told is wrong, not guessed at."""
    if not isinstance(data, Mapping):
        raise serializers.ValidationError(_("Send the answers as a JSON object."))
    for name, field in shape().fields.items():
        if name not in data:
            continue
        value = data[name]
        if value is None:
            right = field.allow_null
        else:
            blank = value == "" and getattr(field, "allow_blank", False)
            right = blank or _has_type(field, value)
        if not right:
            raise serializers.ValidationError(
                {name: _("That answer is not the right type. The API schema says which.")}
            )


class TokenSerializer(serializers.ModelSerializer[ApiToken]):
    person = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "person",
            "with_second_factor",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(
        help_text="Send it as `Authorization: Bearer <token>`. Shown this once, never again."
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class TokenRequest(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=100, validators=SAID, help_text="Which app it is for.")
    days = serializers.IntegerField(
        min_value=1,
        max_value=ApiToken.LONGEST.days,
        required=False,
        help_text=f"How long it lasts (default {ApiToken.LIFETIME.days} days).",
    )


# --- Who may call ---------------------------------------------------------------------


def unhandled(request: Request, view: APIView) -> bool:
    """A method the endpoint does not have: let it through to DRF's 405, which must not
    hide behind a 403 or a 404."""
    return not hasattr(view, (request.method or "").lower())


def signed_in(request: Request) -> User:
    """The user, once a permission class has let them in (so never anonymous)."""
    return cast(User, request.user)


class SignedIn(BasePermission):
    """Signed in (a session or a token). A method the endpoint does not have passes on
    to DRF's 405, which must not hide behind a 403."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return unhandled(request, view) or bool(request.user.is_authenticated)


# --- Tokens ----------------------------------------------------------------------------


def _tokens_for(request: Request) -> QuerySet[ApiToken]:
    return tokens_for(request._request, signed_in(request))


class Tokens(generics.ListAPIView[ApiToken]):
    serializer_class = TokenSerializer
    permission_classes = [SignedIn]

    def get_queryset(self) -> QuerySet[ApiToken]:
        return _tokens_for(self.request)

    @extend_schema(
        summary="My tokens (everyone's for the complaints manager)",
        responses=responses({200: TokenSerializer(many=True)}, 403, 404),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Make a token for an app",
        description=(
            "From a signed-in browser only, not with a token. Staff, and anyone with an "
            "authenticator, confirm their second factor first (/accounts/2fa/reauthenticate/) "
            "and have a few minutes to ask."
        ),
        request=TokenRequest,
        responses=responses({201: NewTokenSerializer}, 400, 403, 404),
    )
    def post(self, request: Request) -> Response:
        if token_of(request._request) is not None:
            raise exceptions.PermissionDenied(
                _("A token cannot make tokens. Sign in on the website to make one.")
            )
        check_types(request.data, TokenRequest)
        asked = TokenRequest(data=request.data)
        asked.is_valid(raise_exception=True)
        user = signed_in(request)
        if not may_make_one_now(request._request, user):
            raise exceptions.PermissionDenied(
                _("Confirm with your authenticator app first, then ask for the token again.")
            )
        token, raw = make_token(
            request._request,
            user=user,
            name=asked.validated_data["name"],
            days=asked.validated_data.get("days"),
        )
        token.token = raw  # type: ignore[attr-defined]  # shown once, never stored
        return Response(NewTokenSerializer(token).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Revoke a token (mine; anyone's for the complaints manager)",
    parameters=[OpenApiParameter("token_id", int, OpenApiParameter.PATH)],
    responses=responses({204: None}, 403, 404),
)
class RevokeToken(APIView):
    permission_classes = [SignedIn]

    def delete(self, request: Request, token_id: str) -> Response:
        # Any text reaches here, so a wrong id is this API's JSON 404, not the site's page.
        if not (token_id.isascii() and token_id.isdigit() and len(token_id) < 10):
            raise Http404
        token = _tokens_for(request).filter(pk=int(token_id)).first()
        if token is None:
            raise Http404
        revoke_token(request._request, token, by=signed_in(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("tokens/", Tokens.as_view(), name="tokens"),
    path("tokens/<str:token_id>/", RevokeToken.as_view(), name="token"),
]
