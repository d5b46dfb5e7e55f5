"""The risk detector's quick matcher beside its plain path: `.venv/bin/python -m bench.triage`.

The quick matcher reads CPython's private regex parser to try at each word only the rules
that can start there (feedback.triage._quick_parser); the plain path, used where that parser
is missing or not as expected, tries every rule at every word. Both give the same answers
(tests/feedback/test_triage.py runs both); this prints what the quick one saves, per postcard.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from feedback import triage

ORDINARY = (
    "My social worker is great and the wifi at the home is slow. "
    "I would like more pocket money and a trip to the seaside please. "
)
POSTCARDS = {
    "a short idea (80 chars)": ORDINARY[:80],
    "a long postcard (5,000 chars)": (ORDINARY * 60)[:5000],
    "a long disclosure (5,000 chars)": ("i want to die and he hits me and i ran away " * 120)[
        :5000
    ],
}


def _best_ms(assess: Callable[[str], object], text: str, rounds: int = 30) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        assess(text)
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    quick_rules = triage.load_rules(triage.RULES_PATH)
    saved = triage.sre, triage.sre_parse
    triage.sre = triage.sre_parse = None  # the plain path, as where the parser is missing
    try:
        plain_rules = triage.load_rules(Path(triage.RULES_PATH))
    finally:
        triage.sre, triage.sre_parse = saved
    print(f"{'postcard':34} {'quick ms':>9} {'plain ms':>9} {'ratio':>6}")
    ratios = []
    for name, text in POSTCARDS.items():
        triage._rules = lambda rules=quick_rules: rules  # type: ignore[assignment]
        quick = _best_ms(triage.assess, text)
        triage._rules = lambda rules=plain_rules: rules  # type: ignore[assignment]
        plain = _best_ms(triage.assess, text)
        ratios.append(plain / quick)
        print(f"{name:34} {quick:9.3f} {plain:9.3f} {plain / quick:6.1f}")
    print(f"median ratio {statistics.median(ratios):.1f}")
    # What the other languages' phrases add to a long postcard in two of them (target: under
    # 2 ms, a timed assertion that was in tests/feedback/test_triage_languages.py until a
    # loaded CI machine missed it by 0.07 ms; a benchmark's job, not a test's).
    mixed = ("Tôi thích trường mới và cô giáo. أحب البيت الجديد. " * 80)[:5000]
    other = _best_ms(triage._other_languages().find, mixed, rounds=20)
    print(f"other languages on a long mixed postcard (5,000 chars): {other:.3f} ms (target < 2)")


if __name__ == "__main__":
    main()
