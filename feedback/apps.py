import time
from datetime import date

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

_CLOSURES_TTL = 300.0


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Postcards and complaints")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks
        from django.db.models.signals import post_delete, post_save

        from feedback import workdays
        from feedback.checks import read_record
        from feedback.models import Topic, forget_active_topics

        checks.register(read_record)
        workdays.set_closure_provider(_local_closures)
        # Signing in keeps the session's data (Django cycles only its key); what this
        # browser sent or tracked anonymously must not follow a person into their account.
        user_logged_in.connect(_forget_browser, dispatch_uid="feedback.forget_browser")
        for signal in (post_save, post_delete):
            signal.connect(forget_active_topics, sender=Topic, dispatch_uid="feedback.topics")


def _forget_browser(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    from feedback import browser

    if request is not None and hasattr(request, "session"):
        browser.forget_browser(request)


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
