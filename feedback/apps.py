import time
from datetime import date

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_CLOSURES_TTL = 300.0


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Postcards and complaints")

    def ready(self) -> None:
        from feedback import workdays

        workdays.set_closure_provider(_local_closures)


_cache: tuple[float, frozenset[date]] = (0.0, frozenset())


def _local_closures() -> frozenset[date]:
    """The admin's closure days, re-read at most every few minutes per process."""
    global _cache
    loaded_at, closures = _cache
    if time.monotonic() - loaded_at > _CLOSURES_TTL:
        from feedback.models import LocalClosure

        closures = frozenset(LocalClosure.objects.values_list("date", flat=True))
        _cache = (time.monotonic(), closures)
    return closures


def forget_local_closures() -> None:
    global _cache
    _cache = (0.0, frozenset())
