"""Survey versions read once per process instead of twice per update.

Every answer reads the participation's survey version twice (the handler's ``where_is`` and
``record_answer``), and each read fetched the whole definition as JSON and parsed it again
(0.3 ms for 12 questions, 0.7 ms for the example consultations, plus the query): the largest
repeated cost on the citizen's hot path (``bench/interactive.py``).

A survey version is immutable: rows of ``survey_versions`` are only ever inserted (a changed
survey is the next number), never updated, and consultations are never deleted. So a version
read once can be kept for the life of the process. The one way a cached entry could be wrong is
a version read back inside a transaction that then rolled back, and a different version later
inserted under the same number; ``add_version`` therefore drops the entry it inserts, whichever
transaction it belongs to.
"""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.consultations import SqlConsultationRepository
from surveys.entities import SurveyVersion

MAX_VERSIONS = 256  # a city runs a handful of consultations; an LRU bound all the same


class SurveyVersionCache:
    """``(consultation id, version number)`` → ``SurveyVersion`` (frozen, safe to share)."""

    def __init__(self, size: int = MAX_VERSIONS) -> None:
        self._size = size
        self._versions: OrderedDict[tuple[int, int], SurveyVersion] = OrderedDict()

    def get(self, consultation_id: int, number: int) -> SurveyVersion | None:
        key = (consultation_id, number)
        version = self._versions.get(key)
        if version is not None:
            self._versions.move_to_end(key)
        return version

    def put(self, version: SurveyVersion) -> None:
        key = (version.consultation_id, version.number)
        self._versions[key] = version
        self._versions.move_to_end(key)
        while len(self._versions) > self._size:
            self._versions.popitem(last=False)

    def forget(self, consultation_id: int, number: int) -> None:
        self._versions.pop((consultation_id, number), None)


class CachedConsultationRepository(SqlConsultationRepository):
    """``SqlConsultationRepository`` whose ``get_version`` goes through the process cache."""

    def __init__(self, session: AsyncSession, cache: SurveyVersionCache) -> None:
        super().__init__(session)
        self._cache = cache

    async def get_version(self, consultation_id: int, number: int) -> SurveyVersion | None:
        version = self._cache.get(consultation_id, number)
        if version is None:
            version = await super().get_version(consultation_id, number)
            if version is not None:
                self._cache.put(version)
        return version

    async def add_version(self, version: SurveyVersion) -> None:
        self._cache.forget(version.consultation_id, version.number)
        await super().add_version(version)
