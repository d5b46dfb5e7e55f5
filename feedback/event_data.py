"""What each kind of timeline event carries in Event.data, typed.

The annual report and the timeline read these; writers build them with these
types, so a misspelt or missing key is a type error, not a silent zero.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Keyed(TypedDict, total=False):
    key: str  # the form's once-only key: a double click acts once


class SubmittedData(TypedDict):
    channel: str
    # A paper postcard: the team that typed it in, as the young person's page names it.
    in_a_sentence: NotRequired[str]
    # How it reached them (feedback.models.ReceivedBy) and the day it was written (ISO).
    received_by: NotRequired[str]
    written_on: NotRequired[str]


class ServiceData(TypedDict):
    in_a_sentence: str  # how the young person's page names the service: "the Fostering team"


class RoutedData(ServiceData):
    service: str
    service_id: int
    reasons: list[str]


class HeldData(TypedDict):
    service_id: int | None


class WithdrawnData(TypedDict, total=False):
    kept_open: bool  # a child at risk: the duty team keeps it


class AssignedData(TypedDict):
    assignee: str


class ReplyData(Keyed):
    as_team: bool
    change: str  # "", "planned" or "made"
    change_description: str


class ChangeData(TypedDict):
    change: str


class NoteData(Keyed, total=False):
    reroute: bool


class ReadData(TypedDict):
    language: str  # the code of the language it was written in (feedback.languages)


class StatusData(TypedDict):
    old: str
    new: str


class ResolvedData(Keyed):
    outcome: str
    stage: int | None
    due: str  # ISO date of the deadline in force when answered, or ""
    on_time: bool | None
    extended: bool


class ExtendedData(TypedDict):
    old_due: str
    new_due: str
    stage: int | None


class StageData(TypedDict):
    stage: int
    requested_by_young_person: bool


class ReroutedData(ServiceData):
    service: str
    service_id: int
    old_service: str


class DecisionData(TypedDict):
    decision: str  # a SafeguardingDecision
    on_time: bool  # within the decision clock


class ClockData(TypedDict):
    due: str
    clock: str


class EscalatedData(ClockData):
    to: str  # "manager" or "complaints_manager"


EventData = (
    Keyed
    | SubmittedData
    | ServiceData
    | RoutedData
    | HeldData
    | WithdrawnData
    | AssignedData
    | ReplyData
    | ChangeData
    | NoteData
    | StatusData
    | ReadData
    | ResolvedData
    | ExtendedData
    | StageData
    | ReroutedData
    | ClockData
    | EscalatedData
    | DecisionData
)
