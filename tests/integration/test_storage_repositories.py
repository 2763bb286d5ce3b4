"""Every repository of the SQL unit of work, on SQLite and PostgreSQL (same test bodies)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.repositories.updates import Delivery
from storage.store import Storage
from storage.tables import audit_log, processed_updates
from surveys.definition import Mode, Question, QuestionType, SurveyDefinition
from surveys.entities import (
    Answer,
    AuditEntry,
    Consultation,
    ConsultationStatus,
    Contact,
    Idea,
    Participant,
    Participation,
    ParticipationStatus,
    SurveyVersion,
    TextSource,
)

T0 = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)  # the night Europe/Rome moves to summer time


def survey(slug: str = "opencare", *questions: Question) -> SurveyDefinition:
    return SurveyDefinition(
        slug=slug,
        project="Opencare",
        mode=Mode.SURVEY,
        title={"it": "Cura", "en": "Care"},
        intro={"it": "Ciao", "en": "Hello"},
        privacy_notice={"it": "Privacy", "en": "Privacy"},
        questions=questions,
    )


def free_text(key: str) -> Question:
    return Question(key=key, type=QuestionType.FREE_TEXT, text={"it": key, "en": key})


def yes_no(key: str) -> Question:
    return Question(key=key, type=QuestionType.YES_NO, text={"it": key, "en": key})


async def seed(storage: Storage) -> tuple[int, int, int]:
    """A consultation, a participant and their participation; returns their ids."""
    async with storage.uow() as uow:
        consultation = await uow.consultations.add(
            Consultation("opencare", "Opencare", Mode.SURVEY)
        )
        person = await uow.participants.add(Participant("pseudo-1"))
        assert consultation.id is not None and person.id is not None
        participation = await uow.participations.add(
            Participation(person.id, consultation.id, version=1)
        )
        assert participation.id is not None
        await uow.commit()
    return consultation.id, person.id, participation.id


# --- unit of work ---------------------------------------------------------------------------------


async def test_uow_rolls_back_unless_committed(storage: Storage) -> None:
    async with storage.uow() as uow:
        await uow.participants.add(Participant("never-committed"))
    async with storage.uow() as uow:
        await uow.participants.add(Participant("committed"))
        await uow.commit()
    with pytest.raises(RuntimeError, match="boom"):
        async with storage.uow() as uow:
            await uow.participants.add(Participant("failed"))
            raise RuntimeError("boom")
    async with storage.uow() as uow:
        assert await uow.participants.get_by_pseudonym("never-committed") is None
        assert await uow.participants.get_by_pseudonym("failed") is None
        assert await uow.participants.get_by_pseudonym("committed") is not None


async def test_explicit_rollback_discards_work(storage: Storage) -> None:
    async with storage.uow() as uow:
        await uow.participants.add(Participant("rolled-back"))
        await uow.rollback()
        await uow.participants.add(Participant("kept"))
        await uow.commit()
    async with storage.uow() as uow:
        assert await uow.participants.get_by_pseudonym("rolled-back") is None
        assert await uow.participants.get_by_pseudonym("kept") is not None


# --- consultations and versions -------------------------------------------------------------------


async def test_consultation_add_get_update_list(storage: Storage) -> None:
    async with storage.uow() as uow:
        added = await uow.consultations.add(
            Consultation("opencare", "Opencare", Mode.SURVEY, opens_at=T0)
        )
        await uow.consultations.add(Consultation("openagri", "OpenAgri", Mode.LISTENING))
        await uow.commit()
    assert added.id is not None
    assert added.created_at is not None and added.created_at.tzinfo is not None

    async with storage.uow() as uow:
        found = await uow.consultations.get(added.id)
        assert found == added
        assert await uow.consultations.get_by_slug("opencare") == added
        assert await uow.consultations.get_by_slug("missing") is None
        assert await uow.consultations.get(added.id + 1000) is None

        found.status = ConsultationStatus.OPEN
        found.closes_at = T0 + timedelta(days=30)
        found.results_published = True
        found.current_version = 2
        await uow.consultations.update(found)
        await uow.commit()

    async with storage.uow() as uow:
        updated = await uow.consultations.get(added.id)
        assert updated is not None
        assert updated.status is ConsultationStatus.OPEN
        assert updated.closes_at == T0 + timedelta(days=30)
        assert updated.results_published is True
        assert updated.current_version == 2
        assert updated.created_at == added.created_at
        everything = await uow.consultations.list()
        assert [c.slug for c in everything] == ["opencare", "openagri"]
        assert everything[1].mode is Mode.LISTENING
        open_ones = await uow.consultations.list(ConsultationStatus.OPEN)
        assert [c.slug for c in open_ones] == ["opencare"]
        assert await uow.consultations.list(ConsultationStatus.CLOSED) == []


async def test_slug_is_unique(storage: Storage) -> None:
    async with storage.uow() as uow:
        await uow.consultations.add(Consultation("opencare", "Opencare", Mode.SURVEY))
        with pytest.raises(IntegrityError):
            await uow.consultations.add(Consultation("opencare", "Other", Mode.SURVEY))


async def test_versions_round_trip_and_latest(storage: Storage) -> None:
    consultation_id, _, _ = await seed(storage)
    first = survey("opencare", free_text("why"))
    second = survey("opencare", free_text("why"), yes_no("again"))
    async with storage.uow() as uow:
        assert await uow.consultations.latest_version(consultation_id) is None
        await uow.consultations.add_version(
            SurveyVersion(consultation_id, 1, first.content_hash(), first)
        )
        await uow.consultations.add_version(
            SurveyVersion(consultation_id, 2, second.content_hash(), second, created_at=T0)
        )
        await uow.commit()
    async with storage.uow() as uow:
        one = await uow.consultations.get_version(consultation_id, 1)
        assert one is not None
        assert one.definition == first
        assert one.content_hash == first.content_hash()
        assert one.created_at is not None
        latest = await uow.consultations.latest_version(consultation_id)
        assert latest is not None
        assert (latest.number, latest.definition, latest.created_at) == (2, second, T0)
        assert await uow.consultations.get_version(consultation_id, 3) is None


async def test_version_number_is_unique_per_consultation(storage: Storage) -> None:
    consultation_id, _, _ = await seed(storage)
    definition = survey()
    async with storage.uow() as uow:
        version = SurveyVersion(consultation_id, 1, definition.content_hash(), definition)
        await uow.consultations.add_version(version)
        with pytest.raises(IntegrityError):
            await uow.consultations.add_version(version)


async def test_free_texts_are_free_text_answers_and_ideas(storage: Storage) -> None:
    consultation_id, person_id, participation_id = await seed(storage)
    # "note" is free text in version 1 only; in version 2 it became a yes/no question.
    v1 = survey("opencare", free_text("why"), free_text("note"))
    v2 = survey("opencare", free_text("why"), yes_no("note"))
    async with storage.uow() as uow:
        await uow.consultations.add_version(
            SurveyVersion(consultation_id, 1, v1.content_hash(), v1)
        )
        await uow.consultations.add_version(
            SurveyVersion(consultation_id, 2, v2.content_hash(), v2)
        )
        other = await uow.participants.add(Participant("pseudo-2"))
        preview_person = await uow.participants.add(Participant("staff-preview"))
        assert other.id is not None and preview_person.id is not None
        later = await uow.participations.add(Participation(other.id, consultation_id, version=2))
        preview = await uow.participations.add(
            Participation(preview_person.id, consultation_id, version=2, is_preview=True)
        )
        assert later.id is not None and preview.id is not None
        await uow.answers.put(Answer(participation_id, "why", "Più assistenza a casa", 1))
        await uow.answers.put(Answer(participation_id, "note", "serve un centro", 1))
        await uow.answers.put(Answer(later.id, "why", "   ", 2))  # blank: not a text
        await uow.answers.put(Answer(later.id, "note", True, 2))  # yes/no in version 2
        await uow.answers.put(Answer(preview.id, "why", "staff trying it", 2))
        idea = await uow.ideas.add(Idea(consultation_id, person_id, "Orti sui tetti", "it"))
        await uow.commit()

    async with storage.uow() as uow:
        texts = await uow.consultations.free_texts(consultation_id)
    assert [(t.source, t.question_key, t.text) for t in texts] == [
        (TextSource.ANSWER, "why", "Più assistenza a casa"),
        (TextSource.ANSWER, "note", "serve un centro"),
        (TextSource.IDEA, None, "Orti sui tetti"),
    ]
    assert texts[2].source_id == idea.id and texts[2].language == "it"
    answer_ids = {a.id for a in await _answers(storage, participation_id)}
    assert {t.source_id for t in texts[:2]} == answer_ids


async def test_free_texts_leave_out_withdrawn_participations(storage: Storage) -> None:
    consultation_id, _, participation_id = await seed(storage)
    definition = survey("opencare", free_text("why"))
    async with storage.uow() as uow:
        await uow.consultations.add_version(
            SurveyVersion(consultation_id, 1, definition.content_hash(), definition)
        )
        await uow.answers.put(Answer(participation_id, "why", "mi ritiro", 1))
        participation = await uow.participations.get(participation_id)
        assert participation is not None
        assert len(await uow.consultations.free_texts(consultation_id)) == 1
        participation.status = ParticipationStatus.WITHDRAWN
        await uow.participations.update(participation)
        assert await uow.consultations.free_texts(consultation_id) == []


async def _answers(storage: Storage, participation_id: int) -> list[Answer]:
    async with storage.uow() as uow:
        return list(await uow.answers.for_participation(participation_id))


# --- participants and contacts --------------------------------------------------------------------


async def test_participant_add_get_update(storage: Storage) -> None:
    async with storage.uow() as uow:
        added = await uow.participants.add(Participant("pseudo-1", language="en"))
        await uow.commit()
    assert added.id is not None and added.created_at is not None
    assert (added.reminders_stopped, added.unreachable, added.consent_version) == (
        False,
        False,
        None,
    )
    async with storage.uow() as uow:
        assert await uow.participants.get(added.id) == added
        assert await uow.participants.get_by_pseudonym("pseudo-1") == added
        assert await uow.participants.get_by_pseudonym("pseudo-2") is None
        added.consent_version = "2025-01"
        added.consented_at = T0
        added.reminders_stopped = True
        added.unreachable = True
        added.language = "it"
        await uow.participants.update(added)
        await uow.commit()
    async with storage.uow() as uow:
        assert await uow.participants.get(added.id) == added


async def test_pseudonym_is_unique(storage: Storage) -> None:
    async with storage.uow() as uow:
        await uow.participants.add(Participant("same"))
        with pytest.raises(IntegrityError):
            await uow.participants.add(Participant("same"))


async def test_contact_is_set_replaced_and_read(storage: Storage) -> None:
    _, person_id, _ = await seed(storage)
    big_chat_id = 7_000_000_000  # beyond 32 bits, as Telegram ids are
    async with storage.uow() as uow:
        assert await uow.participants.get_contact(person_id) is None
        await uow.participants.set_contact(Contact(person_id, 42))
        await uow.participants.set_contact(Contact(person_id, big_chat_id))
        await uow.commit()
    async with storage.uow() as uow:
        assert await uow.participants.get_contact(person_id) == Contact(person_id, big_chat_id)


# --- participations -------------------------------------------------------------------------------


async def test_participation_add_find_update_list_count(storage: Storage) -> None:
    consultation_id, person_id, participation_id = await seed(storage)
    async with storage.uow() as uow:
        second = await uow.consultations.add(Consultation("openagri", "OpenAgri", Mode.SURVEY))
        assert second.id is not None
        other = await uow.participations.add(
            Participation(person_id, second.id, version=3, consent_version="v1")
        )
        found = await uow.participations.find(person_id, consultation_id)
        assert found is not None and found.id == participation_id
        assert found.status is ParticipationStatus.IN_PROGRESS
        assert found.started_at is not None and found.updated_at is not None
        assert await uow.participations.get(participation_id) == found
        assert await uow.participations.find(person_id + 99, consultation_id) is None
        assert await uow.participations.get(participation_id + 99) is None

        found.current_question = "why"
        found.status = ParticipationStatus.SUBMITTED
        found.submitted_at = T0
        found.updated_at = T0
        await uow.participations.update(found)
        await uow.commit()

    async with storage.uow() as uow:
        assert await uow.participations.get(participation_id) == found
        listed = await uow.participations.list_for_participant(person_id)
        assert [p.id for p in listed] == [participation_id, other.id]
        assert listed[1].consent_version == "v1" and listed[1].version == 3
        assert await uow.participations.count(consultation_id) == 1
        assert await uow.participations.count(consultation_id, ParticipationStatus.SUBMITTED) == 1
        assert await uow.participations.count(consultation_id, ParticipationStatus.WITHDRAWN) == 0


async def test_update_without_time_moves_updated_at(storage: Storage) -> None:
    _, _, participation_id = await seed(storage)
    async with storage.uow() as uow:
        participation = await uow.participations.get(participation_id)
        assert participation is not None
        participation.updated_at = T0  # far in the past
        await uow.participations.update(participation)
        participation.updated_at = None
        participation.current_question = "next"
        await uow.participations.update(participation)
        stored = await uow.participations.get(participation_id)
    assert stored is not None and stored.updated_at is not None
    assert stored.updated_at > T0 + timedelta(days=200)


async def test_previews_are_not_counted(storage: Storage) -> None:
    consultation_id, _, participation_id = await seed(storage)
    async with storage.uow() as uow:
        staff_person = await uow.participants.add(Participant("staff"))
        assert staff_person.id is not None
        preview = await uow.participations.add(
            Participation(staff_person.id, consultation_id, version=1, is_preview=True)
        )
        assert preview.id is not None and preview.is_preview
        await uow.answers.put(Answer(preview.id, "why", "prova", 1))
        await uow.answers.put(Answer(participation_id, "why", "vero", 1))
        assert await uow.participations.count(consultation_id) == 1
        assert await uow.answers.count(consultation_id) == 1


async def test_second_participation_for_same_consultation_is_refused(storage: Storage) -> None:
    consultation_id, person_id, _ = await seed(storage)
    async with storage.uow() as uow:
        with pytest.raises(IntegrityError):
            await uow.participations.add(Participation(person_id, consultation_id, version=1))


# --- answers --------------------------------------------------------------------------------------


async def test_answer_put_twice_keeps_one_row_with_latest_value(storage: Storage) -> None:
    consultation_id, _, participation_id = await seed(storage)
    async with storage.uow() as uow:
        await uow.answers.put(Answer(participation_id, "color", "red", 1, answered_at=T0))
        await uow.commit()
    async with storage.uow() as uow:
        later = T0 + timedelta(hours=1)
        await uow.answers.put(Answer(participation_id, "color", ["blue", "green"], 2, later))
        await uow.commit()
    stored = await _answers(storage, participation_id)
    assert [(a.question_key, a.value, a.version, a.answered_at) for a in stored] == [
        ("color", ["blue", "green"], 2, T0 + timedelta(hours=1))
    ]
    async with storage.uow() as uow:
        assert await uow.answers.count(consultation_id) == 1


async def test_answer_values_of_every_type_round_trip(storage: Storage) -> None:
    _, _, participation_id = await seed(storage)
    values: dict[str, object] = {
        "single": "opt_a",
        "multi": ["a", "b"],
        "scale": 7,
        "number": 3.5,
        "yes_no": False,
        "location": {"lat": 45.46, "lon": 9.19},
        "district": {"district": "municipio_1"},
        "skipped": None,
    }
    async with storage.uow() as uow:
        for key, value in values.items():
            await uow.answers.put(Answer(participation_id, key, value, 1))  # type: ignore[arg-type]
        await uow.commit()
    stored = {a.question_key: a.value for a in await _answers(storage, participation_id)}
    assert stored == values
    assert all(a.answered_at is not None for a in await _answers(storage, participation_id))


async def test_answer_delete_removes_only_named_keys(storage: Storage) -> None:
    _, _, participation_id = await seed(storage)
    async with storage.uow() as uow:
        for key in ("a", "b", "c"):
            await uow.answers.put(Answer(participation_id, key, key, 1))
        await uow.answers.delete(participation_id, ["a", "c", "not-there"])
        await uow.answers.delete(participation_id, [])
        await uow.commit()
    assert [a.question_key for a in await _answers(storage, participation_id)] == ["b"]


# --- ideas ----------------------------------------------------------------------------------------


async def test_ideas_add_and_list(storage: Storage) -> None:
    consultation_id, person_id, _ = await seed(storage)
    async with storage.uow() as uow:
        mine = await uow.ideas.add(Idea(consultation_id, person_id, "Più panchine", "it"))
        anonymous = await uow.ideas.add(Idea(consultation_id, None, "More trees"))
        await uow.commit()
    assert mine.id is not None and mine.created_at is not None and anonymous.language is None
    async with storage.uow() as uow:
        assert await uow.ideas.list_for_consultation(consultation_id) == [mine, anonymous]
        assert await uow.ideas.list_for_participant(person_id) == [mine]
        assert await uow.ideas.list_for_consultation(consultation_id + 1) == []


# --- processed updates ----------------------------------------------------------------------------


async def test_claim_twice_is_true_then_false(storage: Storage) -> None:
    update_id = 2**40  # Telegram update ids do not fit 32 bits forever
    async with storage.uow() as uow:
        assert await uow.updates.claim(update_id) is True
        assert await uow.updates.claim(update_id) is False
        await uow.commit()
    async with storage.uow() as uow:
        assert await uow.updates.claim(update_id) is False
        assert await uow.updates.claim(update_id + 1) is True


async def test_uncommitted_claim_does_not_count(storage: Storage) -> None:
    async with storage.uow() as uow:
        assert await uow.updates.claim(5) is True
    async with storage.uow() as uow:
        assert await uow.updates.claim(5) is True


async def test_concurrent_claims_let_exactly_one_win(storage: Storage) -> None:
    async def claim() -> bool:
        async with storage.uow() as uow:
            claimed = await uow.updates.claim(777)
            await uow.commit()
            return claimed

    results = await asyncio.gather(*(claim() for _ in range(10)))
    assert sorted(results) == [False] * 9 + [True]
    async with storage.engine.connect() as connection:
        rows = (await connection.execute(sa.select(processed_updates.c.update_id))).all()
    assert rows == [(777,)]


async def test_replied_marks_for_many_updates_and_the_highest_id(storage: Storage) -> None:
    async with storage.uow() as uow:
        assert await uow.updates.highest() is None
        for update_id in (10, 11, 12):
            assert await uow.updates.claim(update_id) is True
        assert await uow.updates.claim(2**40, replied=True) is True
        await uow.commit()
    async with storage.uow() as uow:
        await uow.updates.mark_many_replied({10, 12, 99})  # 99 was never claimed: no row
        await uow.updates.mark_many_replied(set())
        await uow.commit()
    async with storage.uow() as uow:
        delivery = uow.updates.delivery
        assert [await delivery(i) for i in (10, 11, 12, 2**40, 99)] == [
            Delivery.DUPLICATE,
            Delivery.REPLY_LOST,
            Delivery.DUPLICATE,
            Delivery.DUPLICATE,
            Delivery.NEW,
        ]
        assert await uow.updates.highest() == 2**40


# --- audit ----------------------------------------------------------------------------------------


async def test_audit_entries_are_stored(storage: Storage) -> None:
    async with storage.uow() as uow:
        await uow.audit.add(
            AuditEntry("consultation.open", target="opencare", detail={"by": "cli"})
        )
        await uow.audit.add(AuditEntry("staff.invite", at=T0))
        await uow.commit()
    async with storage.engine.connect() as connection:
        query = sa.select(audit_log).order_by(audit_log.c.id)
        rows = (await connection.execute(query)).mappings().all()
    assert [(r["action"], r["target"], r["detail"], r["actor_staff_id"]) for r in rows] == [
        ("consultation.open", "opencare", {"by": "cli"}, None),
        ("staff.invite", None, {}, None),
    ]
    assert rows[0]["at"] is not None


async def test_saving_a_participation_keeps_the_reminders_counted_meanwhile(
    storage: Storage,
) -> None:
    """An answer saved just after the scheduler counted a reminder must not undo the count."""
    _, _, participation_id = await seed(storage)
    async with storage.uow() as uow:
        read_before = await uow.participations.get(participation_id)
    assert read_before is not None and read_before.reminders_sent == 0
    async with storage.uow() as uow:  # the scheduler, between the read and the save
        await uow.audience.note_reminded([participation_id])
        await uow.commit()
    read_before.current_question = "why"
    read_before.reminders_sent = 0  # what the answering side had read
    async with storage.uow() as uow:
        await uow.participations.update(read_before)
        await uow.commit()
    async with storage.uow() as uow:
        saved = await uow.participations.get(participation_id)
    assert saved is not None
    assert saved.current_question == "why"
    assert saved.reminders_sent == 1
