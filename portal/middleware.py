from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def no_store(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Pages are never kept by the browser or a proxy: on a shared phone, Back
    must not bring up a young person's words after they pressed Exit this page.
    (Static files are served above this, by WhiteNoise, and still cache.)"""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response

    return middleware
