"""The composition root: the only place in portal/ that knows the apps."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from feedback import api_urls as feedback_api_urls
from feedback.delivery import channel_health
from feedback.health import waiting
from feedback.metrics import figures
from participation.api import urlpatterns as participation_api_urls
from portal import api as portal_api
from portal import api_docs, metrics, oidc, token_views, views
from portal.permissions import passed_second_factor

# Admin signs in through allauth (rate limits, second factor), and opens only to
# a session that passed the second factor.
_allauth_admin_login = secure_admin_login(admin.site.login)


def _admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    # Django's own password form is never shown: a session without the second
    # factor is signed out and sent to allauth's sign-in (rate limits, TOTP).
    if request.user.is_authenticated and not passed_second_factor(request):
        logout(request)
        return redirect_to_login(request.get_full_path())
    return _allauth_admin_login(request, extra_context)


# Replacing the default site's methods (rather than a custom AdminSite) keeps every
# third-party admin registered on it; mypy forbids assigning to methods.
admin.site.login = _admin_login  # type: ignore[method-assign]
_admin_has_permission = admin.site.has_permission
admin.site.has_permission = lambda request: (  # type: ignore[method-assign]
    _admin_has_permission(request) and passed_second_factor(request)
)

urlpatterns = [
    path("", views.home, name="home"),
    path("exit/", views.exit_page, name="exit"),
    # Django's set_language: a POST from the language form sets the language cookie.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, {"channels": channel_health, "work": waiting}, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz_live"),
    path("metrics", metrics.metrics, {"figures": figures}, name="metrics"),
    path("invite/", views.invitation_code, name="invitation_code"),
    path("invite/accept/", views.invitation_accept, name="invitation_accept"),
    path("invite/<str:token>/", views.invitation_link, name="invitation_link"),
    path("staff/invitations/new/", views.invitation_new, name="invitation_new"),
    path("staff/settings/", views.staff_settings, name="staff_settings"),
    path("staff/tokens/", token_views.tokens, name="api_tokens"),
    path("staff/tokens/<int:token_id>/revoke/", token_views.revoke, name="api_token_revoke"),
    # No open sign-up: accounts come from invitations.
    path("accounts/signup/", RedirectView.as_view(pattern_name="invitation_code")),
    # Young people's contact details live in their portal profile, not in allauth.
    path("accounts/email/", views.email_management, name="account_email"),
    # allauth's pages (allauth.urls would add its social pages: sign-up and linking
    # accounts, which no one here may use); the council's sign-in only when configured.
    path("accounts/", include("allauth.account.urls")),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/", include(oidc.urlpatterns)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The schema as a server-rendered page (Swagger UI failed axe a hundred times over).
    path("api/docs/", api_docs.api_docs, name="api_docs"),
    path("api/v1/", include((feedback_api_urls.v1_patterns, "api_v1"))),
    path("api/v1/", include((participation_api_urls, "api_v1_participation"))),
    path("api/v1/", include((portal_api.urlpatterns, "api_v1_portal"))),
    path("api/", include("feedback.api_urls")),
    path("", include("feedback.urls")),
    path("", include("participation.urls")),
]

handler404 = "portal.views.not_found"
