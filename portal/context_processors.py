from django.conf import settings
from django.http import HttpRequest

from portal.owner import owner_tag
from portal.permissions import is_staff_with_second_factor


def portal(request: HttpRequest) -> dict[str, object]:
    """What the layout shows, decided here so templates never ask the user object."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "show_exit": True,
            "show_language_choice": True,
            "is_staff_user": False,
            "is_council_staff_user": False,
            "is_participation_officer": False,
            "is_young_person": False,
            "show_council_link": False,
            "can_use_api": False,
            "duty_team_phone": settings.DUTY_TEAM_PHONE,
            "draft_owner": owner_tag(request),
        }
    service_staff = user.is_service_staff
    officer = user.is_participation_officer
    return {
        # Staff pages leave out the quick-exit button; everyone else gets it.
        "show_exit": not (service_staff or officer),
        # Young people choose their language; staff pages stay in English (issue 24).
        "show_language_choice": not (service_staff or officer),
        # The queue, paper postcards and invitations: staff of a service.
        "is_staff_user": service_staff,
        # Paper postcards and invitations: not an advocate's or a partner's.
        "is_council_staff_user": service_staff and not user.is_outside_staff,
        "is_participation_officer": officer,
        # A young person's own links; a participation officer with no service has none.
        "is_young_person": user.young_person is not None,
        "show_council_link": user.is_council_member or officer or user.is_complaints_manager,
        # API tokens and the API's docs: the docs page's own gate.
        "can_use_api": is_staff_with_second_factor(request),
        "duty_team_phone": settings.DUTY_TEAM_PHONE,
        # Whose offline draft this browser may keep: someone else's is deleted (draft.js).
        "draft_owner": owner_tag(request),
    }
