"""The client's address behind TRUSTED_PROXY_COUNT reverse proxies, for rate limits."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the nearest untrusted hop gave: each trusted proxy appends one.

    Reading from the right, so a client cannot choose its own address by
    sending an X-Forwarded-For header of its own.
    """
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    count = settings.TRUSTED_PROXY_COUNT
    if count and len(hops) >= count:
        return hops[-count]
    return request.META.get("REMOTE_ADDR", "")
