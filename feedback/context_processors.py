from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from feedback import access
from feedback.models import Clock, EventKind, Kind, Notification, Status, Visibility


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """How many updates a young person has not read yet, for the header on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_service_staff:
        return {"unread_notifications": 0}
    return {"unread_notifications": Notification.objects.unread_in_portal(user).count()}


def staff_pages(request: HttpRequest) -> dict[str, bool]:
    """Which staff pages to link to: each link asks the rule its page's own gate asks
    (feedback.access), so the menu never offers a 404 nor hides a page someone may open."""
    user = getattr(request, "user", None)
    if user is None:
        user = AnonymousUser()
    return {
        "can_see_dashboard": access.can_see_dashboard(user),
        "can_read_annual_report": access.can_read_annual_report(user),
        "can_manage_team": access.can_manage_team(user),
        # The audit log, and people (subject access and erasure).
        "can_read_audit": access.can_read_audit(user),
        "can_manage_saved_replies": access.can_manage_saved_replies(user),
    }


def states(request: HttpRequest) -> dict[str, object]:
    """The enums, so templates compare with Status.ROUTED rather than a spelt-out string.

    Django's choices carry do_not_call_in_templates, so the template engine reads them.
    """
    return {
        "Status": Status,
        "EventKind": EventKind,
        "Clock": Clock,
        "Kind": Kind,
        "Visibility": Visibility,
    }
