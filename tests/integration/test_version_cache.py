"""The process-wide survey version cache (storage/version_cache.py), on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from storage.store import Storage
from storage.version_cache import SurveyVersionCache
from surveys.definition import Mode
from surveys.entities import Consultation, SurveyVersion
from tests.integration.test_storage_repositories import free_text, survey, yes_no


@contextmanager
def version_queries(storage: Storage) -> Iterator[list[str]]:
    """The statements that read ``survey_versions`` while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM survey_versions" in statement:
            seen.append(statement)

    sa.event.listen(storage.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(storage.engine.sync_engine, "before_cursor_execute", record)


async def _consultation(storage: Storage) -> int:
    async with storage.uow() as uow:
        consultation = await uow.consultations.add(
            Consultation("opencare", "Opencare", Mode.SURVEY)
        )
        await uow.commit()
    assert consultation.id is not None
    return consultation.id


async def test_a_version_is_read_from_the_database_once(storage: Storage) -> None:
    consultation_id = await _consultation(storage)
    definition = survey("opencare", free_text("why"))
    async with storage.uow() as uow:
        await uow.consultations.add_version(
            SurveyVersion(consultation_id, 1, definition.content_hash(), definition)
        )
        await uow.commit()
    with version_queries(storage) as seen:
        for _ in range(3):
            async with storage.uow() as uow:
                version = await uow.consultations.get_version(consultation_id, 1)
            assert version is not None and version.definition == definition
        async with storage.uow() as uow:
            assert await uow.consultations.get_version(consultation_id, 2) is None
            assert await uow.consultations.get_version(consultation_id, 2) is None
    # One read for version 1; a missing version is never cached, so it is asked each time.
    assert len(seen) == 3


async def test_a_version_read_in_a_rolled_back_transaction_is_not_kept(storage: Storage) -> None:
    consultation_id = await _consultation(storage)
    abandoned = survey("opencare", free_text("why"))
    published = survey("opencare", free_text("why"), yes_no("again"))
    async with storage.uow() as uow:
        await uow.consultations.add_version(
            SurveyVersion(consultation_id, 1, abandoned.content_hash(), abandoned)
        )
        read_back = await uow.consultations.get_version(consultation_id, 1)
        assert read_back is not None and read_back.definition == abandoned
        # left without commit: rolled back
    async with storage.uow() as uow:
        await uow.consultations.add_version(
            SurveyVersion(consultation_id, 1, published.content_hash(), published)
        )
        await uow.commit()
    async with storage.uow() as uow:
        version = await uow.consultations.get_version(consultation_id, 1)
    assert version is not None and version.definition == published


def test_the_cache_keeps_the_most_recently_used_versions() -> None:
    cache = SurveyVersionCache(size=2)
    definition = survey()
    one, two, three = (
        SurveyVersion(7, n, definition.content_hash(), definition) for n in (1, 2, 3)
    )
    cache.put(one)
    cache.put(two)
    assert cache.get(7, 1) is one  # now the most recent
    cache.put(three)
    assert cache.get(7, 2) is None
    assert cache.get(7, 1) is one and cache.get(7, 3) is three
    cache.forget(7, 1)
    assert cache.get(7, 1) is None
