"""Bar charts as SVG geometry, drawn on the server. Pure: no Django.

Templates turn these numbers into inline SVG with presentation attributes and
classes only (the Content Security Policy blocks `style`). Charts read the
protected figures, so a bar's length gives away no more than the table does.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 320  # viewBox units; the SVG scales to the screen (390 px phones included)
LABEL_GAP = 16
ROW = 42
BAR = 16
VALUE_ROOM = 44


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: hidden ("fewer than 5")
    y: int
    label_y: int
    width: float
    value_x: float
    text_y: int

    # Right to left (Arabic) the chart is mirrored: labels and bars start at the right edge
    # and the bars grow leftwards. Text is anchored at its start, which there is its right.
    @property
    def rtl_x(self) -> float:
        return round(WIDTH - self.width, 1)

    @property
    def rtl_value_x(self) -> float:
        return round(WIDTH - self.value_x, 1)


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int = WIDTH
    bar_height: int = BAR


def horizontal(rows: list[tuple[str, int | None]]) -> Chart:
    """One bar per row, its label above it, longest bar filling the width less room for the value."""
    most = max((value or 0 for _label, value in rows), default=0)
    room = WIDTH - VALUE_ROOM
    bars = []
    for index, (label, value) in enumerate(rows):
        top = index * ROW
        width = round(room * (value or 0) / most, 1) if most else 0.0
        bars.append(
            Bar(
                label=label,
                value=value,
                y=top + LABEL_GAP + 2,
                label_y=top + LABEL_GAP - 2,
                width=width,
                value_x=width + 4,
                text_y=top + LABEL_GAP + 2 + BAR - 4,
            )
        )
    return Chart(bars=bars, height=max(ROW * len(rows), ROW))
