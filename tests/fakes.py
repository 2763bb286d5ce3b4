"""An in-memory unit of work implementing ``surveys.ports``: a fake, not a mock.

It behaves like the real storage where the use cases can tell: ids are assigned on insert,
what you read is a copy (so forgetting ``update()`` loses the change, as it would with SQL),
nothing is visible to the next unit of work before ``commit()``, leaving without commit rolls
back, the unique constraints of the schema raise, and deleting a participant cascades.
Concurrency is not modelled: the last commit wins.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import statistics
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from zoneinfo import ZoneInfo

from surveys.definition import QuestionType
from surveys.entities import (
    Answer,
    AuditEntry,
    Consultation,
    ConsultationStatus,
    Contact,
    FreeText,
    Idea,
    Invitation,
    Participant,
    Participation,
    ParticipationStatus,
    StaffMember,
    SurveyVersion,
    TextSource,
)
from surveys.stats import DayCount, ParticipationCounts, QuestionCounts

T = TypeVar("T")


class FakeIntegrityError(Exception):
    """A unique or foreign-key constraint the real schema enforces was broken."""


@dataclass
class _Tables:
    """Committed rows. Stored records are never mutated in place, so a shallow copy of each
    dict is a consistent snapshot."""

    consultations: dict[int, Consultation] = field(default_factory=dict)
    versions: dict[tuple[int, int], SurveyVersion] = field(default_factory=dict)
    participants: dict[int, Participant] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    participations: dict[int, Participation] = field(default_factory=dict)
    answers: dict[tuple[int, str], Answer] = field(default_factory=dict)
    ideas: dict[int, Idea] = field(default_factory=dict)
    updates: set[int] = field(default_factory=set)
    audit: list[AuditEntry] = field(default_factory=list)
    staff: dict[int, StaffMember] = field(default_factory=dict)
    invitations: dict[int, Invitation] = field(default_factory=dict)

    def snapshot(self) -> _Tables:
        return _Tables(
            consultations=dict(self.consultations),
            versions=dict(self.versions),
            participants=dict(self.participants),
            contacts=dict(self.contacts),
            participations=dict(self.participations),
            answers=dict(self.answers),
            ideas=dict(self.ideas),
            updates=set(self.updates),
            audit=list(self.audit),
            staff=dict(self.staff),
            invitations=dict(self.invitations),
        )


class FakeDatabase:
    """What survives between units of work; ``uow`` is a ``UnitOfWorkFactory``."""

    def __init__(self) -> None:
        self.tables = _Tables()
        self.commits = 0
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        return next(self._ids)

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


def _copy(record: T) -> T:
    return copy.deepcopy(record)


def _insert(record: T, db: FakeDatabase) -> T:
    stored = _copy(record)
    stored.id = db.next_id()  # type: ignore[attr-defined]
    return stored


class FakeConsultations:
    def __init__(self, t: _Tables, db: FakeDatabase) -> None:
        self._t, self._db = t, db

    async def get(self, consultation_id: int) -> Consultation | None:
        found = self._t.consultations.get(consultation_id)
        return _copy(found) if found else None

    async def get_by_slug(self, slug: str) -> Consultation | None:
        found = next((c for c in self._t.consultations.values() if c.slug == slug), None)
        return _copy(found) if found else None

    async def list(self, status: ConsultationStatus | None = None) -> Sequence[Consultation]:
        return [
            _copy(c) for c in self._t.consultations.values() if status is None or c.status is status
        ]

    async def add(self, consultation: Consultation) -> Consultation:
        if any(c.slug == consultation.slug for c in self._t.consultations.values()):
            raise FakeIntegrityError(f"duplicate slug {consultation.slug}")
        stored = _insert(consultation, self._db)
        self._t.consultations[stored.id] = stored
        return _copy(stored)

    async def update(self, consultation: Consultation) -> None:
        assert consultation.id in self._t.consultations
        self._t.consultations[consultation.id] = _copy(consultation)

    async def add_version(self, version: SurveyVersion) -> None:
        key = (version.consultation_id, version.number)
        if key in self._t.versions:
            raise FakeIntegrityError(f"duplicate survey version {key}")
        if version.consultation_id not in self._t.consultations:
            raise FakeIntegrityError("survey version of an unknown consultation")
        self._t.versions[key] = version  # frozen: safe to share

    async def get_version(self, consultation_id: int, number: int) -> SurveyVersion | None:
        return self._t.versions.get((consultation_id, number))

    async def latest_version(self, consultation_id: int) -> SurveyVersion | None:
        mine = [v for (cid, _), v in self._t.versions.items() if cid == consultation_id]
        return max(mine, key=lambda v: v.number) if mine else None

    async def free_texts(self, consultation_id: int) -> Sequence[FreeText]:
        texts: list[FreeText] = []
        for participation in self._t.participations.values():
            if participation.consultation_id != consultation_id:
                continue
            version = self._t.versions[(consultation_id, participation.version)]
            free_keys = {
                q.key for q in version.definition.questions if q.type is QuestionType.FREE_TEXT
            }
            for (pid, key), answer in self._t.answers.items():
                if pid == participation.id and key in free_keys and isinstance(answer.value, str):
                    assert answer.id is not None
                    texts.append(FreeText(TextSource.ANSWER, answer.id, answer.value, key))
        for idea in self._t.ideas.values():
            if idea.consultation_id == consultation_id:
                assert idea.id is not None
                texts.append(FreeText(TextSource.IDEA, idea.id, idea.text, None, idea.language))
        return texts


class FakeParticipants:
    def __init__(self, t: _Tables, db: FakeDatabase) -> None:
        self._t, self._db = t, db

    async def get(self, participant_id: int) -> Participant | None:
        found = self._t.participants.get(participant_id)
        return _copy(found) if found else None

    async def get_by_pseudonym(self, pseudonym: str) -> Participant | None:
        found = next((p for p in self._t.participants.values() if p.pseudonym == pseudonym), None)
        return _copy(found) if found else None

    async def add(self, participant: Participant) -> Participant:
        if any(p.pseudonym == participant.pseudonym for p in self._t.participants.values()):
            raise FakeIntegrityError("duplicate pseudonym")
        stored = _insert(participant, self._db)
        self._t.participants[stored.id] = stored
        return _copy(stored)

    async def update(self, participant: Participant) -> None:
        assert participant.id in self._t.participants
        self._t.participants[participant.id] = _copy(participant)

    async def delete(self, participant_id: int) -> None:
        t = self._t
        t.participants.pop(participant_id, None)
        t.contacts.pop(participant_id, None)
        gone = {pid for pid, p in t.participations.items() if p.participant_id == participant_id}
        for pid in gone:
            del t.participations[pid]
        for key in [key for key in t.answers if key[0] in gone]:
            del t.answers[key]
        for iid in [iid for iid, i in t.ideas.items() if i.participant_id == participant_id]:
            del t.ideas[iid]

    async def set_contact(self, contact: Contact) -> None:
        if contact.participant_id not in self._t.participants:
            raise FakeIntegrityError("contact of an unknown participant")
        self._t.contacts[contact.participant_id] = _copy(contact)

    async def get_contact(self, participant_id: int) -> Contact | None:
        found = self._t.contacts.get(participant_id)
        return _copy(found) if found else None


class FakeParticipations:
    def __init__(self, t: _Tables, db: FakeDatabase) -> None:
        self._t, self._db = t, db

    async def get(self, participation_id: int) -> Participation | None:
        found = self._t.participations.get(participation_id)
        return _copy(found) if found else None

    async def find(self, participant_id: int, consultation_id: int) -> Participation | None:
        found = next(
            (
                p
                for p in self._t.participations.values()
                if (p.participant_id, p.consultation_id) == (participant_id, consultation_id)
            ),
            None,
        )
        return _copy(found) if found else None

    async def add(self, participation: Participation) -> Participation:
        if await self.find(participation.participant_id, participation.consultation_id):
            raise FakeIntegrityError("one participation per participant and consultation")
        if participation.participant_id not in self._t.participants:
            raise FakeIntegrityError("participation of an unknown participant")
        if (participation.consultation_id, participation.version) not in self._t.versions:
            raise FakeIntegrityError("participation of an unknown survey version")
        stored = _insert(participation, self._db)
        self._t.participations[stored.id] = stored
        return _copy(stored)

    async def update(self, participation: Participation) -> None:
        assert participation.id in self._t.participations
        self._t.participations[participation.id] = _copy(participation)

    async def list_for_participant(self, participant_id: int) -> Sequence[Participation]:
        return [
            _copy(p) for p in self._t.participations.values() if p.participant_id == participant_id
        ]

    async def count(self, consultation_id: int, status: ParticipationStatus | None = None) -> int:
        return sum(
            1
            for p in self._t.participations.values()
            if p.consultation_id == consultation_id and (status is None or p.status is status)
        )


class FakeAnswers:
    def __init__(self, t: _Tables, db: FakeDatabase) -> None:
        self._t, self._db = t, db

    async def for_participation(self, participation_id: int) -> Sequence[Answer]:
        return [_copy(a) for (pid, _), a in self._t.answers.items() if pid == participation_id]

    async def put(self, answer: Answer) -> None:
        if answer.participation_id not in self._t.participations:
            raise FakeIntegrityError("answer of an unknown participation")
        key = (answer.participation_id, answer.question_key)
        previous = self._t.answers.get(key)
        stored = _copy(answer)
        stored.id = previous.id if previous is not None else self._db.next_id()
        self._t.answers[key] = stored

    async def delete(self, participation_id: int, question_keys: Sequence[str]) -> None:
        for key in question_keys:
            self._t.answers.pop((participation_id, key), None)

    async def count(self, consultation_id: int) -> int:
        mine = {
            pid for pid, p in self._t.participations.items() if p.consultation_id == consultation_id
        }
        return sum(1 for (pid, _) in self._t.answers if pid in mine)


class FakeIdeas:
    def __init__(self, t: _Tables, db: FakeDatabase) -> None:
        self._t, self._db = t, db

    async def add(self, idea: Idea) -> Idea:
        if idea.consultation_id not in self._t.consultations:
            raise FakeIntegrityError("idea for an unknown consultation")
        stored = _insert(idea, self._db)
        self._t.ideas[stored.id] = stored
        return _copy(stored)

    async def list_for_consultation(self, consultation_id: int) -> Sequence[Idea]:
        return [_copy(i) for i in self._t.ideas.values() if i.consultation_id == consultation_id]

    async def list_for_participant(self, participant_id: int) -> Sequence[Idea]:
        return [_copy(i) for i in self._t.ideas.values() if i.participant_id == participant_id]


class FakeUpdates:
    def __init__(self, t: _Tables, db: FakeDatabase) -> None:
        self._t, self._db = t, db

    async def claim(self, update_id: int) -> bool:
        if update_id in self._t.updates:
            return False
        self._t.updates.add(update_id)
        return True

    async def is_processed(self, update_id: int) -> bool:
        return update_id in self._db.tables.updates


class FakeAudit:
    def __init__(self, t: _Tables) -> None:
        self._t = t

    async def add(self, entry: AuditEntry) -> None:
        self._t.audit.append(_copy(entry))

    async def list(self, limit: int = 50) -> Sequence[AuditEntry]:
        return [_copy(e) for e in reversed(self._t.audit[-limit:])]


class FakeStaff:
    def __init__(self, t: _Tables, db: FakeDatabase) -> None:
        self._t, self._db = t, db

    async def get(self, staff_id: int) -> StaffMember | None:
        found = self._t.staff.get(staff_id)
        return _copy(found) if found else None

    async def get_by_telegram_user(self, telegram_user_id: int) -> StaffMember | None:
        found = next(
            (m for m in self._t.staff.values() if m.telegram_user_id == telegram_user_id), None
        )
        return _copy(found) if found else None

    async def add(self, member: StaffMember) -> StaffMember:
        if await self.get_by_telegram_user(member.telegram_user_id) is not None:
            raise FakeIntegrityError("duplicate staff telegram_user_id")
        stored = _insert(member, self._db)
        self._t.staff[stored.id] = stored
        return _copy(stored)

    async def update(self, member: StaffMember) -> None:
        assert member.id is not None
        self._t.staff[member.id] = _copy(member)

    async def revoke(self, staff_id: int, at: datetime) -> bool:
        found = self._t.staff.get(staff_id)
        if found is None or found.revoked_at is not None:
            return False
        self._t.staff[staff_id] = dataclasses.replace(found, revoked_at=at)
        return True

    async def list_active(self) -> Sequence[StaffMember]:
        return [_copy(m) for _, m in sorted(self._t.staff.items()) if m.revoked_at is None]


class FakeInvitations:
    def __init__(self, t: _Tables, db: FakeDatabase) -> None:
        self._t, self._db = t, db

    async def add(self, invitation: Invitation) -> Invitation:
        if any(i.token == invitation.token for i in self._t.invitations.values()):
            raise FakeIntegrityError("duplicate invitation token")
        stored = _insert(invitation, self._db)
        self._t.invitations[stored.id] = stored
        return _copy(stored)

    async def claim(self, token: str, now: datetime) -> Invitation | None:
        found = next((i for i in self._t.invitations.values() if i.token == token), None)
        if found is None or found.used_at is not None or found.expires_at <= now:
            return None
        assert found.id is not None
        claimed = self._t.invitations[found.id] = dataclasses.replace(found, used_at=now)
        return _copy(claimed)

    async def get(self, token: str) -> Invitation | None:
        found = next((i for i in self._t.invitations.values() if i.token == token), None)
        return _copy(found) if found else None


class FakeThemes:
    """Only what erasure needs: which texts were dropped from themes (themes live in SQL
    tests: tests/integration/test_themes_db.py)."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def forget_texts(self, refs: Collection[tuple[str, int]]) -> int:
        self._db.__dict__.setdefault("forgotten_texts", set()).update(refs)
        return 0


class FakeVectors:
    """Only what erasure needs: which cached vectors were dropped."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db

    async def forget(self, hashes: Collection[str]) -> int:
        self._db.__dict__.setdefault("forgotten_vectors", set()).update(hashes)
        return 0


class FakeStats:
    """``StatsRepository`` in Python over the fake rows, with the SQL's rules: previews never
    count, withdrawn participations only as withdrawn, days in the given time zone."""

    def __init__(self, t: _Tables) -> None:
        self._t = t

    def _of(self, consultation_id: int) -> list[Participation]:
        return [
            p
            for p in self._t.participations.values()
            if p.consultation_id == consultation_id and not p.is_preview
        ]

    def _counted(self, consultation_id: int) -> list[Participation]:
        return [
            p for p in self._of(consultation_id) if p.status is not ParticipationStatus.WITHDRAWN
        ]

    def _answered(self, participation_id: int | None) -> set[str]:
        return {key for (pid, key) in self._t.answers if pid == participation_id}

    async def participation_counts(self, consultation_id: int) -> ParticipationCounts:
        counted = self._counted(consultation_id)
        submitted = ParticipationStatus.SUBMITTED
        return ParticipationCounts(
            participants=len({p.participant_id for p in counted}),
            joined=len(counted),
            started=sum(1 for p in counted if p.status is submitted or self._answered(p.id)),
            completed=sum(1 for p in counted if p.status is submitted),
            withdrawn=len(self._of(consultation_id)) - len(counted),
            at_summary=sum(
                1
                for p in counted
                if p.status is ParticipationStatus.IN_PROGRESS and p.current_question is None
            ),
        )

    async def median_completion_seconds(self, consultation_id: int) -> float | None:
        durations = [
            (p.submitted_at - p.started_at).total_seconds()
            for p in self._counted(consultation_id)
            if p.status is ParticipationStatus.SUBMITTED and p.submitted_at and p.started_at
        ]
        return statistics.median(durations) if durations else None

    async def question_counts(self, consultation_id: int) -> Sequence[QuestionCounts]:
        answered: Counter[str] = Counter()
        stopped: Counter[str] = Counter()
        for p in self._counted(consultation_id):
            keys = self._answered(p.id)
            answered.update(keys)
            at = p.current_question
            if p.status is ParticipationStatus.IN_PROGRESS and at is not None and at not in keys:
                stopped[at] += 1
        return [
            QuestionCounts(key, answered[key], stopped[key])
            for key in sorted(set(answered) | set(stopped))
        ]

    async def answers_per_day(self, consultation_id: int, timezone: str) -> Sequence[DayCount]:
        ids = {p.id for p in self._counted(consultation_id)}
        times = [a.answered_at for a in self._t.answers.values() if a.participation_id in ids]
        return _per_day(times, timezone)

    async def ideas_per_day(self, consultation_id: int, timezone: str) -> Sequence[DayCount]:
        previewers = {
            p.participant_id
            for p in self._t.participations.values()
            if p.consultation_id == consultation_id and p.is_preview
        }
        times = [
            i.created_at
            for i in self._t.ideas.values()
            if i.consultation_id == consultation_id and i.participant_id not in previewers
        ]
        return _per_day(times, timezone)


class FakeVoting:
    """Statements and votes, only as far as the privacy export reads them (voting lives in
    SQL tests: tests/integration/test_voting_db.py): a fake person never voted."""

    async def list_for_participant(self, participant_id: int) -> list[Any]:
        return []


def _per_day(times: Sequence[datetime | None], timezone: str) -> list[DayCount]:
    zone = ZoneInfo(timezone)
    days = Counter(at.astimezone(zone).date() for at in times if at is not None)
    return [DayCount(day, days[day]) for day in sorted(days)]


class FakeUnitOfWork:
    """One transaction over a snapshot of the fake database."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self._tables: _Tables | None = None

    async def __aenter__(self) -> Self:
        if self._tables is not None:
            raise RuntimeError("a unit of work is entered once")
        self._tables = t = self._db.tables.snapshot()
        self.consultations = FakeConsultations(t, self._db)
        self.participants = FakeParticipants(t, self._db)
        self.participations = FakeParticipations(t, self._db)
        self.answers = FakeAnswers(t, self._db)
        self.ideas = FakeIdeas(t, self._db)
        self.updates = FakeUpdates(t, self._db)
        self.audit = FakeAudit(t)
        self.staff = FakeStaff(t, self._db)
        self.invitations = FakeInvitations(t, self._db)
        self.stats = FakeStats(t)
        self.themes = FakeThemes(self._db)
        self.vectors = FakeVectors(self._db)
        self.statements = self.votes = FakeVoting()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        assert self._tables is not None, "commit outside the unit of work"
        self._db.tables = self._tables.snapshot()
        self._db.commits += 1

    async def rollback(self) -> None:
        if self._tables is not None:
            # Drop what was not committed by starting again from the committed rows.
            self._tables.__dict__.update(self._db.tables.snapshot().__dict__)
