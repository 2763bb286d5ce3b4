"""Use cases against the in-memory fake unit of work (tests/fakes.py).

The same scenarios run against SQLite and PostgreSQL in tests/integration/test_usecases_db.py,
which imports this module and swaps the ``uow_factory`` fixture; so everything here goes
through the use cases and the ports only, never through fake internals.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from surveys.clock import FixedClock
from surveys.definition import (
    Condition,
    ConditionKind,
    Mode,
    Option,
    Question,
    QuestionType,
    Schedule,
    SurveyDefinition,
)
from surveys.entities import ConsultationStatus, Participation, ParticipationStatus
from surveys.ports import UnitOfWorkFactory
from surveys.rejections import RejectionCode
from surveys.usecases import (
    close_consultation,
    edit_answer,
    erase_participant,
    export_my_data,
    give_consent,
    go_back,
    list_open_consultations,
    load_consultation,
    open_consultation,
    record_answer,
    record_idea,
    register_participant,
    start_participation,
    submit,
    withdraw_consent,
)
from surveys.usecases.citizens import consent_version
from surveys.usecases.outcomes import (
    Accepted,
    AlreadyRecorded,
    AlreadySubmitted,
    ConsentGiven,
    ConsentRequired,
    ConsentWithdrawn,
    ConsultationClosed,
    ConsultationNotFound,
    ConsultationNotOpen,
    IdeaRecorded,
    IdeaRejected,
    Incomplete,
    LoadChange,
    Moved,
    NotEditable,
    Rejected,
    Started,
    StatusChanged,
    Submitted,
)
from surveys.usecases.rules import CLOSING_GRACE
from tests.fakes import FakeDatabase

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _text(it: str, en: str) -> dict[str, str]:
    return {"it": it, "en": en}


def care_survey(slug: str = "cura") -> SurveyDefinition:
    """Five questions; two are shown only to people who use care services."""
    return SurveyDefinition(
        slug=slug,
        project="Opencare",
        mode=Mode.SURVEY,
        title=_text("Cura a Milano", "Care in Milan"),
        intro=_text("Raccontaci", "Tell us"),
        privacy_notice=_text("Titolare: Comune di Milano", "Controller: City of Milan"),
        questions=(
            Question("municipio", QuestionType.LOCATION, _text("Municipio?", "Municipio?")),
            Question("uses_care", QuestionType.YES_NO, _text("Usi servizi?", "Use services?")),
            Question(
                "care_kind",
                QuestionType.SINGLE_CHOICE,
                _text("Quale?", "Which?"),
                show_if=(Condition(ConditionKind.EQUALS, "uses_care", "yes"),),
                options=(
                    Option("home_care", _text("Domiciliare", "Home care")),
                    Option("day_centre", _text("Centro diurno", "Day centre")),
                ),
            ),
            Question(
                "satisfaction",
                QuestionType.SCALE,
                _text("Quanto sei soddisfatto?", "How satisfied?"),
                show_if=(Condition(ConditionKind.EQUALS, "uses_care", "yes"),),
                min=0,
                max=10,
            ),
            Question(
                "idea",
                QuestionType.FREE_TEXT,
                _text("Un'idea?", "An idea?"),
                required=False,
                min=10,
                max=500,
            ),
        ),
    )


@pytest.fixture
def uow_factory() -> UnitOfWorkFactory:
    return FakeDatabase().uow


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _open_survey(
    uow_factory: UnitOfWorkFactory, clock: FixedClock, definition: SurveyDefinition | None = None
) -> SurveyDefinition:
    definition = definition or care_survey()
    await load_consultation(uow_factory, definition, clock, open_now=True)
    return definition


async def _consenting_participant(
    uow_factory: UnitOfWorkFactory, clock: FixedClock, slug: str = "cura", name: str = "p1"
) -> tuple[int, int]:
    """A registered participant who consented to ``slug``: (participant id, participation id)."""
    registered = await register_participant(uow_factory, clock, f"pseudo-{name}", "it", 1000)
    participant_id = registered.participant.id
    assert participant_id is not None
    given = await give_consent(uow_factory, clock, participant_id, slug, "notice-1")
    assert isinstance(given, ConsentGiven)
    assert given.participation.id is not None
    return participant_id, given.participation.id


async def _answers(uow_factory: UnitOfWorkFactory, participation_id: int) -> dict[str, object]:
    async with uow_factory() as uow:
        return {
            a.question_key: a.value for a in await uow.answers.for_participation(participation_id)
        }


async def _participation(uow_factory: UnitOfWorkFactory, participation_id: int) -> Participation:
    async with uow_factory() as uow:
        participation = await uow.participations.get(participation_id)
    assert participation is not None
    return participation


# --- consultations --------------------------------------------------------------------------


async def test_load_creates_then_is_idempotent(uow_factory, clock) -> None:
    first = await load_consultation(uow_factory, care_survey(), clock)
    again = await load_consultation(uow_factory, care_survey(), clock)

    assert (first.change, first.version, first.status) == (
        LoadChange.CREATED,
        1,
        ConsultationStatus.DRAFT,
    )
    assert (again.change, again.version, again.consultation_id) == (
        LoadChange.UNCHANGED,
        1,
        first.consultation_id,
    )
    async with uow_factory() as uow:
        latest = await uow.consultations.latest_version(first.consultation_id)
        assert latest is not None and latest.number == 1
        assert latest.definition == care_survey()


async def test_changed_survey_becomes_new_version_and_old_stays(uow_factory, clock) -> None:
    await load_consultation(uow_factory, care_survey(), clock)
    original = care_survey()
    changed = replace(original, questions=original.questions[:-1])

    result = await load_consultation(uow_factory, changed, clock)
    back_again = await load_consultation(uow_factory, original, clock)

    assert (result.change, result.version) == (LoadChange.NEW_VERSION, 2)
    # Going back to the first content is a change too: versions only move forward.
    assert (back_again.change, back_again.version) == (LoadChange.NEW_VERSION, 3)
    async with uow_factory() as uow:
        v1 = await uow.consultations.get_version(result.consultation_id, 1)
        v2 = await uow.consultations.get_version(result.consultation_id, 2)
        consultation = await uow.consultations.get_by_slug("cura")
    assert v1 is not None and v1.definition == original
    assert v2 is not None and v2.definition == changed
    assert consultation is not None and consultation.current_version == 3


async def test_load_updates_schedule_without_new_version(uow_factory, clock) -> None:
    await load_consultation(uow_factory, care_survey(), clock)
    opens, closes = NOW + timedelta(days=1), NOW + timedelta(days=30)
    scheduled = replace(care_survey(), schedule=Schedule(opens_at=opens, closes_at=closes))

    result = await load_consultation(uow_factory, scheduled, clock)

    assert (result.change, result.version, result.schedule_changed) == (
        LoadChange.UNCHANGED,
        1,
        True,
    )
    assert result.status is ConsultationStatus.SCHEDULED
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug("cura")
    assert consultation is not None
    assert (consultation.opens_at, consultation.closes_at) == (opens, closes)


async def test_open_now_opens_and_drops_a_closing_time_already_past(uow_factory, clock) -> None:
    past = replace(care_survey(), schedule=Schedule(closes_at=NOW - timedelta(days=1)))

    result = await load_consultation(uow_factory, past, clock, open_now=True)
    again = await load_consultation(uow_factory, past, clock, open_now=True)

    assert result.status is ConsultationStatus.OPEN
    assert (again.change, again.schedule_changed) == (LoadChange.UNCHANGED, False)
    listed = await list_open_consultations(uow_factory, clock)
    assert [item.consultation.slug for item in listed] == ["cura"]
    assert listed[0].definition.title["en"] == "Care in Milan"


async def test_open_close_and_list(uow_factory, clock) -> None:
    await load_consultation(uow_factory, care_survey("uno"), clock)
    await load_consultation(uow_factory, care_survey("due"), clock)
    assert await list_open_consultations(uow_factory, clock) == []

    opened = await open_consultation(uow_factory, clock, "uno")
    await open_consultation(uow_factory, clock, "due")
    closed = await close_consultation(uow_factory, clock, "due")

    assert isinstance(opened, StatusChanged) and opened.previous is ConsultationStatus.DRAFT
    assert (
        isinstance(closed, StatusChanged)
        and closed.consultation.status is ConsultationStatus.CLOSED
    )
    assert [c.consultation.slug for c in await list_open_consultations(uow_factory, clock)] == [
        "uno"
    ]
    assert isinstance(await open_consultation(uow_factory, clock, "tre"), ConsultationNotFound)


async def test_closing_time_passing_closes_for_listing(uow_factory, clock) -> None:
    timed = replace(care_survey(), schedule=Schedule(closes_at=NOW + timedelta(hours=1)))
    await load_consultation(uow_factory, timed, clock, open_now=True)
    assert len(await list_open_consultations(uow_factory, clock)) == 1

    clock.advance(timedelta(hours=1))

    assert await list_open_consultations(uow_factory, clock) == []


# --- participants and consent ----------------------------------------------------------------


async def test_register_is_get_or_create_and_keeps_contact_current(uow_factory, clock) -> None:
    first = await register_participant(uow_factory, clock, "abc", "en", 111)
    again = await register_participant(uow_factory, clock, "abc", "it", 222)

    assert first.created and not again.created
    assert again.participant.id == first.participant.id
    assert again.participant.language == "en"  # the first language stays until set_language
    async with uow_factory() as uow:
        contact = await uow.participants.get_contact(first.participant.id)
    assert contact is not None and contact.chat_id == 222


async def test_nothing_is_stored_before_consent(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    registered = await register_participant(uow_factory, clock, "abc", "it", 1)
    participant_id = registered.participant.id

    started = await start_participation(uow_factory, clock, participant_id, "cura")

    assert isinstance(started, ConsentRequired) and started.participation is None
    assert started.definition.privacy_notice["it"].startswith("Titolare")
    async with uow_factory() as uow:
        assert await uow.participations.list_for_participant(participant_id) == []
    idea = await record_idea(uow_factory, clock, participant_id, "cura", "Più panchine nei parchi")
    assert isinstance(idea, ConsentRequired)


async def test_consent_then_start_asks_first_question(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    participant_id, participation_id = await _consenting_participant(uow_factory, clock)

    started = await start_participation(uow_factory, clock, participant_id, "cura")

    assert isinstance(started, Started) and not started.resumed
    assert started.position.question is not None
    assert started.position.question.key == "municipio"
    assert started.position.participation.id == participation_id
    assert started.position.participation.consent_version == "notice-1"
    assert started.position.step == 1


async def test_withdraw_consent_deletes_answers_and_blocks_answering(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    participant_id, pid = await _consenting_participant(uow_factory, clock)
    await record_answer(uow_factory, clock, pid, "municipio", 1, {"district": "municipio_3"})

    withdrawn = await withdraw_consent(uow_factory, clock, participant_id, "cura")
    refused = await record_answer(uow_factory, clock, pid, "uses_care", 1, True)

    assert isinstance(withdrawn, ConsentWithdrawn) and withdrawn.answers_deleted == 1
    assert await _answers(uow_factory, pid) == {}
    assert isinstance(refused, ConsentRequired)
    assert (await _participation(uow_factory, pid)).status is ParticipationStatus.WITHDRAWN

    again = await give_consent(uow_factory, clock, participant_id, "cura", "notice-2")
    started = await start_participation(uow_factory, clock, participant_id, "cura")
    assert isinstance(again, ConsentGiven) and again.participation.id == pid
    assert isinstance(started, Started) and started.position.question is not None
    assert started.position.question.key == "municipio"


async def test_start_refuses_unknown_draft_and_closed(uow_factory, clock) -> None:
    await load_consultation(uow_factory, care_survey("bozza"), clock)
    await _open_survey(uow_factory, clock)
    participant_id, _ = await _consenting_participant(uow_factory, clock)
    await close_consultation(uow_factory, clock, "cura")

    assert isinstance(
        await start_participation(uow_factory, clock, participant_id, "nessuna"),
        ConsultationNotFound,
    )
    assert isinstance(
        await start_participation(uow_factory, clock, participant_id, "bozza"), ConsultationNotOpen
    )
    assert isinstance(
        await start_participation(uow_factory, clock, participant_id, "cura"), ConsultationClosed
    )


# --- answering ---------------------------------------------------------------------------


async def _answer_all(uow_factory, clock, pid: int, version: int = 1) -> None:
    steps = [
        ("municipio", {"district": "municipio_3"}),
        ("uses_care", True),
        ("care_kind", "home_care"),
        ("satisfaction", 7),
        ("idea", "Più assistenza domiciliare la sera"),
    ]
    for key, value in steps:
        outcome = await record_answer(uow_factory, clock, pid, key, version, value)
        assert isinstance(outcome, Accepted), (key, outcome)


async def test_answers_follow_branching_to_the_summary_and_submit(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    _, pid = await _consenting_participant(uow_factory, clock)

    first = await record_answer(
        uow_factory, clock, pid, "municipio", 1, {"district": "municipio_3"}
    )
    second = await record_answer(uow_factory, clock, pid, "uses_care", 1, False)

    assert isinstance(first, Accepted) and first.position.question is not None
    assert first.position.question.key == "uses_care"
    # "no" hides care_kind and satisfaction: straight to the free-text question.
    assert isinstance(second, Accepted) and second.position.question is not None
    assert second.position.question.key == "idea"
    assert isinstance(await submit(uow_factory, clock, pid), Incomplete)

    skipped = await record_answer(uow_factory, clock, pid, "idea", 1, None)
    assert isinstance(skipped, Accepted) and skipped.position.at_summary
    submitted = await submit(uow_factory, clock, pid)
    twice = await submit(uow_factory, clock, pid)

    assert isinstance(submitted, Submitted)
    assert submitted.participation.status is ParticipationStatus.SUBMITTED
    assert submitted.participation.submitted_at == NOW
    assert isinstance(twice, AlreadySubmitted)
    assert await _answers(uow_factory, pid) == {
        "municipio": {"district": "municipio_3"},
        "uses_care": False,
        "idea": None,
    }


async def test_invalid_answer_is_rejected_and_writes_nothing(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    _, pid = await _consenting_participant(uow_factory, clock)

    outcome = await record_answer(
        uow_factory, clock, pid, "municipio", 1, {"district": "atlantide"}
    )

    assert isinstance(outcome, Rejected)
    assert outcome.rejection.code == RejectionCode.UNKNOWN_DISTRICT
    assert outcome.position.question is not None and outcome.position.question.key == "municipio"
    assert await _answers(uow_factory, pid) == {}


async def test_free_text_is_stored_without_nul_and_spaces(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    _, pid = await _consenting_participant(uow_factory, clock)
    await record_answer(uow_factory, clock, pid, "municipio", 1, {"district": "municipio_1"})
    await record_answer(uow_factory, clock, pid, "uses_care", 1, False)

    too_short = await record_answer(uow_factory, clock, pid, "idea", 1, "  corto\x00 ")
    stored = await record_answer(
        uow_factory, clock, pid, "idea", 1, "  Orti\x00 condivisi in via Padova "
    )

    assert isinstance(too_short, Rejected) and too_short.rejection.code == RejectionCode.TOO_SHORT
    assert isinstance(stored, Accepted)
    assert (await _answers(uow_factory, pid))["idea"] == "Orti condivisi in via Padova"


async def test_double_tap_and_stale_version_are_already_recorded(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    _, pid = await _consenting_participant(uow_factory, clock)
    await record_answer(uow_factory, clock, pid, "municipio", 1, {"district": "municipio_3"})

    double = await record_answer(
        uow_factory, clock, pid, "municipio", 1, {"district": "municipio_9"}
    )
    wrong_version = await record_answer(uow_factory, clock, pid, "uses_care", 2, True)

    assert isinstance(double, AlreadyRecorded)
    assert double.position.question is not None and double.position.question.key == "uses_care"
    assert isinstance(wrong_version, AlreadyRecorded)
    assert await _answers(uow_factory, pid) == {"municipio": {"district": "municipio_3"}}


async def test_closed_consultation_accepts_nothing(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    participant_id, pid = await _consenting_participant(uow_factory, clock)
    await close_consultation(uow_factory, clock, "cura")

    answer = await record_answer(
        uow_factory, clock, pid, "municipio", 1, {"district": "municipio_3"}
    )
    idea = await record_idea(uow_factory, clock, participant_id, "cura", "Più alberi in piazza")

    assert isinstance(answer, ConsultationClosed) and isinstance(idea, ConsultationClosed)
    assert await _answers(uow_factory, pid) == {}


async def test_closing_time_refuses_answers_before_the_scheduler_runs(uow_factory, clock) -> None:
    timed = replace(care_survey(), schedule=Schedule(closes_at=NOW + timedelta(minutes=5)))
    await load_consultation(uow_factory, timed, clock, open_now=True)
    _, pid = await _consenting_participant(uow_factory, clock)
    clock.advance(timedelta(minutes=5))

    outcome = await record_answer(
        uow_factory, clock, pid, "municipio", 1, {"district": "municipio_3"}
    )

    assert isinstance(outcome, ConsultationClosed)
    assert await _answers(uow_factory, pid) == {}


@pytest.mark.parametrize(("minutes", "accepted"), [(44, True), (46, False)])
async def test_the_consultation_file_sets_the_grace_after_closing(
    uow_factory, clock, minutes: int, accepted: bool
) -> None:
    timed = replace(
        care_survey(),
        schedule=Schedule(closes_at=NOW + timedelta(minutes=5)),
        closing_grace_minutes=40,
    )
    await load_consultation(uow_factory, timed, clock, open_now=True)
    _, pid = await _consenting_participant(uow_factory, clock)
    clock.advance(timedelta(minutes=minutes))  # closed 5 minutes in; grace of 40 minutes
    district = {"district": "municipio_3"}

    strict = await record_answer(uow_factory, clock, pid, "municipio", 1, district)
    graced = await record_answer(
        uow_factory, clock, pid, "municipio", 1, district, grace=CLOSING_GRACE
    )

    assert isinstance(strict, ConsultationClosed)  # no grace unless the caller asks for it
    assert isinstance(graced, Accepted) is accepted
    assert (await _answers(uow_factory, pid) == {"municipio": district}) is accepted


def test_the_consent_version_names_the_consultation_minimum_age() -> None:
    assert consent_version(care_survey()).endswith("+age14")
    assert consent_version(replace(care_survey(), min_age=16)).endswith("+age16")


async def test_new_version_mid_way_keeps_the_old_one_for_started_participations(
    uow_factory, clock
) -> None:
    original = await _open_survey(uow_factory, clock)
    _, early = await _consenting_participant(uow_factory, clock, name="early")
    await record_answer(uow_factory, clock, early, "municipio", 1, {"district": "municipio_3"})
    reworded = replace(
        original,
        questions=(
            replace(original.questions[0], text=_text("Dove vivi?", "Where do you live?")),
            *original.questions[1:],
        ),
    )
    loaded = await load_consultation(uow_factory, reworded, clock, open_now=True)
    _, late = await _consenting_participant(uow_factory, clock, name="late")

    assert loaded.version == 2
    assert (await _participation(uow_factory, early)).version == 1
    assert (await _participation(uow_factory, late)).version == 2
    stale = await record_answer(uow_factory, clock, early, "uses_care", 2, True)
    accepted = await record_answer(uow_factory, clock, early, "uses_care", 1, True)
    assert isinstance(stale, AlreadyRecorded) and isinstance(accepted, Accepted)
    assert accepted.position.definition == original
    async with uow_factory() as uow:
        assert {a.version for a in await uow.answers.for_participation(early)} == {1}


async def test_resume_at_the_stored_question(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    participant_id, pid = await _consenting_participant(uow_factory, clock)
    await record_answer(uow_factory, clock, pid, "municipio", 1, {"district": "municipio_3"})
    await record_answer(uow_factory, clock, pid, "uses_care", 1, True)

    resumed = await start_participation(uow_factory, clock, participant_id, "cura")

    assert isinstance(resumed, Started) and resumed.resumed
    assert resumed.position.question is not None and resumed.position.question.key == "care_kind"
    assert resumed.position.answers == {"municipio": {"district": "municipio_3"}, "uses_care": True}


async def test_submitted_participation_cannot_restart(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    participant_id, pid = await _consenting_participant(uow_factory, clock)
    await _answer_all(uow_factory, clock, pid)
    assert isinstance(await submit(uow_factory, clock, pid), Submitted)

    assert isinstance(
        await start_participation(uow_factory, clock, participant_id, "cura"), AlreadySubmitted
    )
    assert isinstance(
        await record_answer(uow_factory, clock, pid, "idea", 1, "ancora una idea"), AlreadySubmitted
    )


# --- back and edit -----------------------------------------------------------------------


async def test_back_then_changing_an_answer_drops_hidden_answers(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    _, pid = await _consenting_participant(uow_factory, clock)
    await _answer_all(uow_factory, clock, pid)

    from_summary = await go_back(uow_factory, clock, pid, None, 1)
    stale = await go_back(uow_factory, clock, pid, None, 1)  # the same tap again

    assert isinstance(from_summary, Moved)
    assert (
        from_summary.position.question is not None and from_summary.position.question.key == "idea"
    )
    assert isinstance(stale, AlreadyRecorded)
    for key in ("idea", "satisfaction", "care_kind"):
        moved = await go_back(uow_factory, clock, pid, key, 1)
        assert isinstance(moved, Moved), key
    assert (await _participation(uow_factory, pid)).current_question == "uses_care"
    assert len(await _answers(uow_factory, pid)) == 5  # going back keeps answers

    changed = await record_answer(uow_factory, clock, pid, "uses_care", 1, False)

    assert isinstance(changed, Accepted) and changed.position.at_summary
    assert await _answers(uow_factory, pid) == {
        "municipio": {"district": "municipio_3"},
        "uses_care": False,
        "idea": "Più assistenza domiciliare la sera",
    }
    assert isinstance(await submit(uow_factory, clock, pid), Submitted)


async def test_back_at_first_question_stays(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    _, pid = await _consenting_participant(uow_factory, clock)

    outcome = await go_back(uow_factory, clock, pid, "municipio", 1)

    assert isinstance(outcome, Moved)
    assert outcome.position.question is not None and outcome.position.question.key == "municipio"


async def test_edit_from_summary_and_hidden_answers_dropped(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    _, pid = await _consenting_participant(uow_factory, clock)
    await _answer_all(uow_factory, clock, pid)

    editing = await edit_answer(uow_factory, clock, pid, "uses_care", 1)
    stale_summary_tap = await record_answer(
        uow_factory, clock, pid, "idea", 1, "Un'altra idea lunga"
    )

    assert isinstance(editing, Moved)
    assert editing.position.question is not None and editing.position.question.key == "uses_care"
    assert isinstance(stale_summary_tap, AlreadyRecorded)

    edited = await record_answer(uow_factory, clock, pid, "uses_care", 1, False)

    assert isinstance(edited, Accepted) and edited.position.at_summary
    assert set(await _answers(uow_factory, pid)) == {"municipio", "uses_care", "idea"}


async def test_edit_refuses_hidden_or_unanswered_questions(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    _, pid = await _consenting_participant(uow_factory, clock)
    await record_answer(uow_factory, clock, pid, "municipio", 1, {"district": "municipio_3"})
    await record_answer(uow_factory, clock, pid, "uses_care", 1, False)

    hidden = await edit_answer(uow_factory, clock, pid, "care_kind", 1)
    unanswered = await edit_answer(uow_factory, clock, pid, "idea", 1)
    unknown = await edit_answer(uow_factory, clock, pid, "nope", 1)
    wrong_version = await edit_answer(uow_factory, clock, pid, "municipio", 7)

    assert isinstance(hidden, NotEditable) and isinstance(unanswered, NotEditable)
    assert isinstance(unknown, NotEditable) and isinstance(wrong_version, AlreadyRecorded)
    assert (await _participation(uow_factory, pid)).current_question == "idea"


# --- ideas ---------------------------------------------------------------------------------


def listening(slug: str = "mercati") -> SurveyDefinition:
    return SurveyDefinition(
        slug=slug,
        project="Mercati",
        mode=Mode.LISTENING,
        title=_text("Mercati comunali", "Municipal markets"),
        intro=_text("Mandaci le tue idee", "Send us your ideas"),
        privacy_notice=_text("Titolare: Comune di Milano", "Controller: City of Milan"),
    )


async def test_ideas_are_cleaned_stored_and_pooled(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock, listening())
    participant_id, pid = await _consenting_participant(uow_factory, clock, slug="mercati")

    stored = await record_idea(
        uow_factory, clock, participant_id, "mercati", "  Mercato\x00 coperto la domenica \n"
    )
    empty = await record_idea(uow_factory, clock, participant_id, "mercati", " \x00\n ")
    huge = await record_idea(uow_factory, clock, participant_id, "mercati", "x" * 5000)

    assert isinstance(stored, IdeaRecorded)
    assert stored.idea.text == "Mercato coperto la domenica" and stored.idea.language == "it"
    assert isinstance(empty, IdeaRejected) and empty.rejection.code == RejectionCode.EMPTY
    assert isinstance(huge, IdeaRejected) and huge.rejection.code == RejectionCode.TOO_LONG
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug("mercati")
        assert consultation is not None and consultation.id is not None
        texts = await uow.consultations.free_texts(consultation.id)
        ideas = await uow.ideas.list_for_consultation(consultation.id)
    assert [t.text for t in texts] == ["Mercato coperto la domenica"]
    assert len(ideas) == 1
    # A listening consultation has no questions: the participation sits at its summary.
    started = await start_participation(uow_factory, clock, participant_id, "mercati")
    assert isinstance(started, Started) and started.position.at_summary
    assert (await _participation(uow_factory, pid)).status is ParticipationStatus.IN_PROGRESS


# --- privacy -------------------------------------------------------------------------------


async def test_export_contains_everything_about_the_person(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    await _open_survey(uow_factory, clock, listening())
    participant_id, pid = await _consenting_participant(uow_factory, clock)
    await give_consent(uow_factory, clock, participant_id, "mercati", "notice-1")
    await _answer_all(uow_factory, clock, pid)
    await record_idea(uow_factory, clock, participant_id, "mercati", "Bancarelle a km zero")

    export = await export_my_data(uow_factory, participant_id)

    assert isinstance(export, dict)
    assert export["participant"]["pseudonym"] == "pseudo-p1"
    assert export["contact"] == {"chat_id": 1000}
    by_slug = {p["consultation"]: p for p in export["participations"]}
    assert set(by_slug) == {"cura", "mercati"}
    answers = {a["question_key"]: a for a in by_slug["cura"]["answers"]}
    assert answers["care_kind"]["value"] == "home_care"
    assert answers["care_kind"]["question"] == {"it": "Quale?", "en": "Which?"}
    assert [i["text"] for i in export["ideas"]] == ["Bancarelle a km zero"]
    assert export["ideas"][0]["consultation"] == "mercati"
    import json

    json.dumps(export)  # JSON-ready: raises if a datetime or dataclass slipped through


async def test_erase_removes_the_person_and_everything_linked(uow_factory, clock) -> None:
    await _open_survey(uow_factory, clock)
    participant_id, pid = await _consenting_participant(uow_factory, clock)
    other_id, other_pid = await _consenting_participant(uow_factory, clock, name="other")
    await _answer_all(uow_factory, clock, pid)
    await _answer_all(uow_factory, clock, other_pid)
    await record_idea(uow_factory, clock, participant_id, "cura", "Un'idea da cancellare")

    assert await erase_participant(uow_factory, participant_id) is True
    assert await erase_participant(uow_factory, participant_id) is False

    async with uow_factory() as uow:
        assert await uow.participants.get(participant_id) is None
        assert await uow.participants.get_contact(participant_id) is None
        assert await uow.participations.get(pid) is None
        assert await uow.answers.for_participation(pid) == []
        assert await uow.ideas.list_for_participant(participant_id) == []
        assert len(await uow.answers.for_participation(other_pid)) == 5
    assert isinstance(await export_my_data(uow_factory, other_id), dict)
