"""Consultations, their immutable survey versions, and their pool of free texts."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.repositories._sql import SessionRepository, column_values
from storage.tables import answers, consultations, ideas, participations, survey_versions
from surveys.definition import Mode, definition_from_dict, definition_to_dict
from surveys.entities import (
    Consultation,
    ConsultationStatus,
    FreeText,
    ParticipationStatus,
    SurveyVersion,
    TextSource,
)


def _consultation(row: RowMapping) -> Consultation:
    return Consultation(
        slug=row["slug"],
        project=row["project"],
        mode=Mode(row["mode"]),
        status=ConsultationStatus(row["status"]),
        current_version=row["current_version"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        results_published=row["results_published"],
        created_at=row["created_at"],
        id=row["id"],
    )


def _version(row: RowMapping) -> SurveyVersion:
    return SurveyVersion(
        consultation_id=row["consultation_id"],
        number=row["number"],
        content_hash=row["content_hash"],
        definition=definition_from_dict(row["definition"]),
        created_at=row["created_at"],
    )


# Statements of citizen updates, built once (see storage/repositories/participations.py).
_GET = sa.select(consultations).where(consultations.c.id == sa.bindparam("id_"))
_BY_SLUG = sa.select(consultations).where(consultations.c.slug == sa.bindparam("slug_"))


class SqlConsultationRepository(SessionRepository):
    async def get(self, consultation_id: int) -> Consultation | None:
        row = (await self.session.execute(_GET, {"id_": consultation_id})).mappings().first()
        return None if row is None else _consultation(row)

    async def get_by_slug(self, slug: str) -> Consultation | None:
        row = (await self.session.execute(_BY_SLUG, {"slug_": slug})).mappings().first()
        return None if row is None else _consultation(row)

    async def list(self, status: ConsultationStatus | None = None) -> Sequence[Consultation]:
        query = sa.select(consultations).order_by(consultations.c.id)
        if status is not None:
            query = query.where(consultations.c.status == status.value)
        return [_consultation(row) for row in (await self.session.execute(query)).mappings()]

    async def add(self, consultation: Consultation) -> Consultation:
        insert = (
            sa.insert(consultations)
            .values(column_values(consultation, consultations))
            .returning(consultations)
        )
        return _consultation((await self.session.execute(insert)).mappings().one())

    async def update(self, consultation: Consultation) -> None:
        await self.session.execute(
            sa.update(consultations)
            .where(consultations.c.id == consultation.id)
            .values(column_values(consultation, consultations))
        )

    async def add_version(self, version: SurveyVersion) -> None:
        values = {
            "consultation_id": version.consultation_id,
            "number": version.number,
            "content_hash": version.content_hash,
            "definition": definition_to_dict(version.definition),
        }
        if version.created_at is not None:
            values["created_at"] = version.created_at
        await self.session.execute(sa.insert(survey_versions).values(values))

    async def get_version(self, consultation_id: int, number: int) -> SurveyVersion | None:
        query = sa.select(survey_versions).where(
            survey_versions.c.consultation_id == consultation_id,
            survey_versions.c.number == number,
        )
        row = (await self.session.execute(query)).mappings().first()
        return None if row is None else _version(row)

    async def latest_version(self, consultation_id: int) -> SurveyVersion | None:
        query = (
            sa.select(survey_versions)
            .where(survey_versions.c.consultation_id == consultation_id)
            .order_by(survey_versions.c.number.desc())
            .limit(1)
        )
        row = (await self.session.execute(query)).mappings().first()
        return None if row is None else _version(row)

    async def free_texts(self, consultation_id: int) -> Sequence[FreeText]:
        """Free-text answers and ideas, answers first, each in the order they were stored.

        A key is free text only in the versions whose definition says so, so answers are
        matched on (version, key). Previews (staff trying a survey) and withdrawn
        participations are left out, and so is whatever a facilitator hid (moderation).
        Skipped and blank answers are not texts. An answer's
        language is unknown here (the participant's interface language says little about
        what they typed); ideas carry the language they were sent with.
        """
        definitions = await self.session.execute(
            sa.select(survey_versions.c.number, survey_versions.c.definition).where(
                survey_versions.c.consultation_id == consultation_id
            )
        )
        free_text_keys = {
            (number, key)
            for number, definition in definitions
            for key in definition_from_dict(definition).free_text_keys
        }
        texts: list[FreeText] = []
        if free_text_keys:
            query = (
                sa.select(answers.c.id, answers.c.question_key, answers.c.version, answers.c.value)
                .join(participations, participations.c.id == answers.c.participation_id)
                .where(
                    participations.c.consultation_id == consultation_id,
                    participations.c.is_preview.is_(False),
                    participations.c.status != ParticipationStatus.WITHDRAWN.value,
                    answers.c.hidden_at.is_(None),  # hidden by a facilitator (moderation)
                    answers.c.question_key.in_({key for _, key in free_text_keys}),
                )
                .order_by(answers.c.id)
            )
            for answer_id, key, version, value in await self.session.execute(query):
                if (version, key) in free_text_keys and isinstance(value, str) and value.strip():
                    texts.append(FreeText(TextSource.ANSWER, answer_id, value, question_key=key))
        idea_rows = await self.session.execute(
            sa.select(ideas.c.id, ideas.c.text, ideas.c.language)
            .where(ideas.c.consultation_id == consultation_id, ideas.c.hidden_at.is_(None))
            .order_by(ideas.c.id)
        )
        texts.extend(
            FreeText(TextSource.IDEA, idea_id, text, language=language)
            for idea_id, text, language in idea_rows
        )
        return texts
