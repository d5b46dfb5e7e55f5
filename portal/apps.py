from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("People and organisation")

    def ready(self) -> None:
        from portal import adapters, audit, checks  # models are ready only now

        audit.connect()
        adapters.connect()
        checks.register_all()
