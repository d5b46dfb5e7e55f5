from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    is_staff_user = bool(user and user.is_authenticated and user.is_service_staff)
    unread = 0
    if user and user.is_authenticated and not is_staff_user:
        from feedback.models import Notification  # composition: templates are shared

        unread = Notification.objects.unread_in_portal(user).count()
    return {
        # Staff pages leave out the quick-exit button; everyone else gets it.
        "show_exit": not is_staff_user,
        "is_staff_user": is_staff_user,
        "unread_notifications": unread,
        "duty_team_phone": settings.DUTY_TEAM_PHONE,
    }
