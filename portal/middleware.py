from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from portal.adapters import REMEMBER_DEVICE_META, remember_device


def privacy_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Pages are never kept by the browser or a proxy: on a shared phone, Back
    must not bring up a young person's words after they pressed Exit this page.
    (Static files are served above this, by WhiteNoise, and still cache.) And no
    page may use the camera, the microphone or where the phone is."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response

    return middleware


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def known_device(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """After a full sign-in, remember the browser for that account (see portal.adapters)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        username = request.META.get(REMEMBER_DEVICE_META)
        if username:
            remember_device(response, username)
        return response

    return middleware
