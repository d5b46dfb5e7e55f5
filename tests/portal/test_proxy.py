from django.test import RequestFactory

from portal.proxy import client_ip


def test_without_a_trusted_proxy_the_socket_address_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.9")
    assert client_ip(request) == "10.0.0.9"


def test_behind_one_proxy_the_address_it_appended_counts_not_one_the_client_sent(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2"
    )
    assert client_ip(request) == "203.0.113.7"
