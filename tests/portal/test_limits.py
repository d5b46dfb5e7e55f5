import pytest
from django.core.cache import cache

from portal.limits import Limit, count_limits, parse_rate


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [
        ("10/h", (10, 3600)),
        ("5/10m", (5, 600)),
        ("1000000/h", (1000000, 3600)),
        ("3/d", (3, 86400)),
    ],
)
def test_a_rate_is_a_count_over_seconds(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "10", "ten/h", "10/w", "10/h/2"])
def test_a_rate_that_is_not_one_is_refused_plainly(rate):
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(rate)


def test_without_redis_the_cache_counts_one_by_one():
    cache.clear()
    limits = (Limit("send", "me", "2/h"), Limit("send-address", "here", "5/h"))
    assert [u.count for u in count_limits(*limits)] == [1, 1]
    assert [u.count for u in count_limits(*limits)] == [2, 2]
    assert [(u.count, u.over) for u in count_limits(*limits)] == [(3, True), (3, False)]
