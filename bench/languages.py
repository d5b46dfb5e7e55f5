"""What naming a postcard's language costs the routing worker: time a postcard and memory.

    .venv/bin/python -m bench.languages

Pure Python, no database: runs feedback.languages.detect over the English sentences of
the triage tables and the other languages' examples, and prints the time to build the
detector, the milliseconds a postcard (median and worst of five rounds) and how much
the process grew (resident memory, Linux). Also how many English sentences it read as
another language, which should be none, and how many of them the English guard
answered without the detector.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from feedback import languages, phrases, triage
from tests.feedback.test_triage import ACCEPTED_FALSE_ALARMS, MUST_FLAG, MUST_NOT_FLAG


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    english = [text for text, _ in MUST_FLAG + ACCEPTED_FALSE_ALARMS] + MUST_NOT_FLAG
    others = [
        example[0] if isinstance(example, list) else example
        for path in sorted(triage.PHRASES_DIR.glob("*.toml"))
        for kind in ("must_flag", "must_not_flag")
        for example in phrases.read(path)["examples"][kind]
    ]
    texts = english + others
    before = _rss_mb()
    start = time.perf_counter()
    languages.detect("zzzz qqqq xxxx")  # past the English guard: builds the detector
    built = time.perf_counter() - start
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for text in texts:
            languages.detect(text)
        rounds.append((time.perf_counter() - start) / len(texts) * 1000)
    misread = [text for text in english if languages.detect(text)]
    guarded = [text for text in english if languages.looks_english(languages._WORD.findall(text))]
    print(f"detector built in {built:.2f} s; process grew {_rss_mb() - before:.0f} MB")
    print(
        f"{len(texts)} postcards: {statistics.median(rounds):.3f} ms each"
        f" (worst round {max(rounds):.3f} ms)"
    )
    print(f"English sentences read as another language: {len(misread)} of {len(english)}")
    print(f"English sentences the guard answered alone: {len(guarded)} of {len(english)}")


if __name__ == "__main__":
    main()
