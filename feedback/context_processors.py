from django.http import HttpRequest

from feedback.models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """How many updates a young person has not read yet, for the header on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_service_staff:
        return {"unread_notifications": 0}
    return {"unread_notifications": Notification.objects.unread_in_portal(user).count()}
