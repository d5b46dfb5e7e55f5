from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from feedback import privacy

        privacy.on_erasure(_withdraw_quotes)


def _withdraw_quotes(item_ids: list[int]) -> None:
    """An erased young person's words leave the council's quotes too."""
    from django.utils import timezone

    from participation.models import Excerpt

    Excerpt.objects.filter(item_id__in=item_ids).update(text="", withdrawn_at=timezone.now())
