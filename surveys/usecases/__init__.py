"""Use cases: one async function per thing a citizen or facilitator does (``verb_noun``).

Each takes a ``surveys.ports.UnitOfWorkFactory`` and a ``surveys.ports.Clock``, opens exactly
one unit of work, commits when it changed something, and returns an outcome from
``surveys.usecases.outcomes``. Dialogs, the CLI and the scheduler call these and nothing below.
"""

from __future__ import annotations

from surveys.usecases.consultations import (
    close_consultation,
    list_open_consultations,
    load_consultation,
    open_consultation,
)
from surveys.usecases.ideas import MAX_IDEA_LENGTH, record_idea
from surveys.usecases.participants import (
    give_consent,
    notice_version,
    register_participant,
    set_language,
    withdraw_consent,
)
from surveys.usecases.participation import (
    edit_answer,
    go_back,
    record_answer,
    start_participation,
    submit,
)
from surveys.usecases.privacy import erase_participant, export_my_data

__all__ = [
    "MAX_IDEA_LENGTH",
    "close_consultation",
    "edit_answer",
    "erase_participant",
    "export_my_data",
    "give_consent",
    "go_back",
    "list_open_consultations",
    "load_consultation",
    "notice_version",
    "open_consultation",
    "record_answer",
    "record_idea",
    "register_participant",
    "set_language",
    "start_participation",
    "submit",
    "withdraw_consent",
]
