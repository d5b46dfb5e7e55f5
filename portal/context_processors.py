from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    is_staff_user = bool(user and user.is_authenticated and user.is_service_staff)
    return {
        # Staff pages leave out the quick-exit button; everyone else gets it.
        "show_exit": not is_staff_user,
        "is_staff_user": is_staff_user,
        "duty_team_phone": settings.DUTY_TEAM_PHONE,
    }
