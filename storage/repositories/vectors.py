"""The vector cache in the database: one row per (raw-text hash, backend, model).

Vectors are stored as their float32 bytes, so a re-clustering of 10,000 texts reads them in
a few ``IN`` queries and encodes nothing (10,000 vectors: about 0.2 s to read, 0.7 s to
write, SQLite or PostgreSQL). Keys are chunked below SQLite's bound-parameter limit; inserts
are one executemany that skips keys already present (two workers may encode the same new
text: the first one wins, and the vectors are the same).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

import sqlalchemy as sa

from storage.repositories._sql import SessionRepository, upsert_insert
from storage.tables import vector_cache

CHUNK = 500  # keys per statement: well below SQLite's 32,766 bound parameters


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqlVectorStore(SessionRepository):
    async def get_many(
        self, backend: str, model: str | None, hashes: Collection[str]
    ) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for chunk in _chunks(sorted(set(hashes))):
            rows = await self.session.execute(
                sa.select(vector_cache.c.text_hash, vector_cache.c.vector).where(
                    vector_cache.c.backend == backend,
                    vector_cache.c.model == (model or ""),
                    vector_cache.c.text_hash.in_(chunk),
                )
            )
            found.update((h, bytes(v)) for h, v in rows)
        return found

    async def put_many(
        self, backend: str, model: str | None, dimensions: int, vectors: dict[str, bytes]
    ) -> None:
        if not vectors:
            return
        insert = upsert_insert(self.session, vector_cache).on_conflict_do_nothing(
            index_elements=[vector_cache.c.text_hash, vector_cache.c.backend, vector_cache.c.model]
        )
        rows = [
            {
                "text_hash": h,
                "backend": backend,
                "model": model or "",
                "dimensions": dimensions,
                "vector": vector,
            }
            for h, vector in vectors.items()
        ]
        await self.session.execute(insert, rows)  # executemany, batched by SQLAlchemy

    async def forget(self, hashes: Collection[str]) -> int:
        removed = 0
        for chunk in _chunks(sorted(set(hashes))):
            result = await self.session.execute(
                sa.delete(vector_cache).where(vector_cache.c.text_hash.in_(chunk))
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
        return removed
