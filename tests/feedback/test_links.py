"""Links in messages are reversed in the app's own URLconf (so a mail-sending worker does
not load the whole site), and must be the links the site itself serves."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.urls import URLPattern, reverse
from django.urls.converters import IntConverter

from feedback.notifications import site_link


def _sample(pattern: URLPattern) -> dict[str, object]:
    converters = getattr(pattern.pattern, "converters", {})
    return {
        name: 7 if isinstance(conv, IntConverter) else "K7M-4QP"
        for name, conv in converters.items()
    }


@pytest.mark.parametrize("app", ["feedback", "participation"])
def test_every_named_page_of_an_app_has_the_same_path_in_its_urlconf_as_on_the_site(
    app: str,
) -> None:
    module = import_module(f"{app}.urls")
    named = [p for p in module.urlpatterns if isinstance(p, URLPattern) and p.name]
    assert len(named) > 5
    for pattern in named:
        kwargs = _sample(pattern)
        on_the_site = reverse(f"{app}:{pattern.name}", kwargs=kwargs)
        assert reverse(pattern.name, kwargs=kwargs, urlconf=f"{app}.urls") == on_the_site


def test_site_link_is_the_absolute_address_of_the_page() -> None:
    assert site_link("feedback:item", "K7M-4QP") == (
        settings.SITE_URL + reverse("feedback:item", args=["K7M-4QP"])
    )
    assert site_link("feedback:staff_item", "K7M-4QP").endswith("/staff/items/K7M-4QP/")
    assert site_link("participation:meeting", 7) == (
        settings.SITE_URL + reverse("participation:meeting", args=[7])
    )
