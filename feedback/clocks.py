"""Deadlines in working days for postcards and statutory complaint stages. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from feedback.workdays import add_working_days


@dataclass(frozen=True)
class Timescale:
    days: int
    extended_days: int  # the legal maximum with a recorded reason


# Children Act 1989 Representations Procedure (England) Regulations 2006 and
# "Getting the Best from Complaints": stage 1 10 (up to 20) working days,
# stage 2 25 (up to 65), stage 3 panel within 30 working days of the request.
STAGES: dict[int, Timescale] = {
    1: Timescale(10, 20),
    2: Timescale(25, 65),
    3: Timescale(30, 30),
}


def stage_due(stage: int, started_on: date, *, extended: bool = False) -> date:
    timescale = STAGES[stage]
    return add_working_days(started_on, timescale.extended_days if extended else timescale.days)


def can_extend(stage: int) -> bool:
    timescale = STAGES[stage]
    return timescale.extended_days > timescale.days


def postcard_due(started_on: date, days: int) -> date:
    return add_working_days(started_on, days)
