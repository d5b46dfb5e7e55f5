from django.http import HttpRequest

from feedback import access
from feedback.models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """How many updates a young person has not read yet, for the header on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_service_staff:
        return {"unread_notifications": 0}
    return {"unread_notifications": Notification.objects.unread_in_portal(user).count()}


def staff_pages(request: HttpRequest) -> dict[str, bool]:
    """Which staff pages to link to, as feedback.access decides (templates never ask the user)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"can_see_dashboard": False, "can_read_annual_report": False}
    return {
        "can_see_dashboard": access.can_see_dashboard(user),
        "can_read_annual_report": access.can_read_annual_report(user),
    }
