from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    """What the layout shows, decided here so templates never ask the user object."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    service_staff = signed_in and user.is_service_staff
    officer = signed_in and user.is_participation_officer
    return {
        # Staff pages leave out the quick-exit button; everyone else gets it.
        "show_exit": not (service_staff or officer),
        # The queue, paper postcards and invitations: staff of a service.
        "is_staff_user": service_staff,
        "is_participation_officer": officer,
        "show_council_link": signed_in
        and (user.is_council_member or officer or user.is_complaints_manager),
        "duty_team_phone": settings.DUTY_TEAM_PHONE,
    }
