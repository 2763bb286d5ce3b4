"""Reminder settings (ASCOLTO_REMINDER_HOURS, ASCOLTO_REMINDER_MAX) and the wording of what
the outbox sends on its own: reminders and the facilitator's progress message, in it and en."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.background import BackgroundSettings
from bot.outbox.progress import progress_text
from bot.outbox.texts import UnknownPayload, render
from bot.settings import Settings, parse_reminder_hours
from surveys.entities import OutboxProgress
from surveys.usecases.scheduling import ReminderPolicy


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_reminder_defaults_are_one_reminder_a_day_before_closing() -> None:
    background = BackgroundSettings.from_settings(make())
    assert background.scheduler.reminders == ReminderPolicy(hours_before=(24,), max_per_person=1)


@pytest.mark.parametrize(
    ("text", "hours"),
    [("24", (24,)), ("48, 24", (48, 24)), ("2,72,2", (72, 2)), ("", ()), (" 720 ", (720,))],
)
def test_good_reminder_hours(text: str, hours: tuple[int, ...]) -> None:
    assert parse_reminder_hours(text) == hours


def test_reminder_settings_from_the_environment_reach_the_scheduler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASCOLTO_REMINDER_HOURS", "72,24")
    monkeypatch.setenv("ASCOLTO_REMINDER_MAX", "2")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    background = BackgroundSettings.from_settings(settings)
    assert background.scheduler.reminders == ReminderPolicy(hours_before=(72, 24), max_per_person=2)


@pytest.mark.parametrize("text", ["abc", "0", "24;48", "-1", "721", "1.5", "24,x"])
def test_bad_reminder_hours_are_refused_clearly(text: str) -> None:
    with pytest.raises(ValidationError, match="ASCOLTO_REMINDER_HOURS must be whole hours"):
        make(reminder_hours=text)


@pytest.mark.parametrize("value", ["x", "-1", "11", "1.5", ""])
def test_bad_reminder_max_is_refused_clearly(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASCOLTO_REMINDER_MAX", value)
    with pytest.raises(ValidationError, match="ASCOLTO_REMINDER_MAX must be a whole number"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_zero_reminders_is_allowed() -> None:
    assert make(reminder_max=0, reminder_hours="").reminder_hours_before == ()


REMINDER = {
    "kind": "reminder",
    "title": "Opencare",
    "closes_at": "2026-12-01T10:00:00+00:00",  # 11:00 in Milan (winter time)
}


def test_reminder_text_in_italian() -> None:
    assert render({**REMINDER, "language": "it"}) == (
        "Promemoria: non hai ancora finito «Opencare». La consultazione chiude il 01/12/2026 "
        "alle 11:00. Scrivi /start per riprendere da dove eri rimasto."
    )


def test_reminder_text_in_english_and_summer_time() -> None:
    payload = {**REMINDER, "language": "en", "closes_at": "2026-07-01T10:00:00+00:00"}
    assert render(payload) == (
        'Reminder: you have not finished "Opencare" yet. The consultation closes on 01/07/2026 '
        "at 12:00. Send /start to pick up where you left off."
    )


def test_reminder_in_an_unknown_language_is_italian_and_unknown_kinds_fail() -> None:
    assert render({**REMINDER, "language": "fr"}).startswith("Promemoria")
    assert render({"kind": "text", "text": "Ciao"}) == "Ciao"
    with pytest.raises(UnknownPayload):
        render({"kind": "poll"})


def test_progress_text_counts_and_the_final_line() -> None:
    running = OutboxProgress(sent=3, failed=1, pending=5, sending=1)
    assert progress_text("en", running) == "Announcement: sent 3 · failed 1 · remaining 6"
    assert progress_text("it", running) == "Annuncio: inviati 3 · non riusciti 1 · da inviare 6"
    done = OutboxProgress(sent=9, failed=1)
    assert progress_text("en", done) == (
        "Announcement: sent 9 · failed 1 · remaining 0\n"
        "Done: the announcement reached 9 people; 1 could not be reached."
    )
    assert progress_text("it", OutboxProgress(sent=1)).endswith(
        "Fatto: l'annuncio è arrivato a 1 persona."
    )
