"""Theme runs, themes, memberships and curations (``surveys.ports.ThemeRepository``).

A theme row is the theme's identity: a re-clustering moves continuing rows into its new run
(``run_id`` updated, id kept) and deletes ended ones, so the current themes of a
consultation are simply those of its latest run. Memberships are written in bulk (one
executemany, which SQLAlchemy sends as multi-row INSERTs) and read in one query: 10,000
memberships take about 0.3 s either way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.repositories._sql import SessionRepository, column_values
from storage.tables import (
    answers,
    ideas,
    participations,
    theme_curations,
    theme_memberships,
    theme_runs,
    themes,
)
from surveys.entities import (
    TextSource,
    Theme,
    ThemeCuration,
    ThemeMembership,
    ThemeRun,
)
from surveys.themes import TextRef


def _run(row: RowMapping) -> ThemeRun:
    return ThemeRun(
        consultation_id=row["consultation_id"],
        backend=row["backend"],
        model=row["model"],
        k=row["k"],
        params=dict(row["params"] or {}),
        created_at=row["created_at"],
        id=row["id"],
    )


def _theme(row: RowMapping) -> Theme:
    return Theme(
        run_id=row["run_id"],
        label=row["label"],
        keywords=list(row["keywords"] or []),
        size=row["size"],
        hidden=bool(row["hidden"]),
        position=row["position"],
        quotes=[dict(q) for q in row["quotes"] or []],
        id=row["id"],
        kind=row["kind"],
    )


def _theme_values(theme: Theme) -> dict[str, Any]:
    values = column_values(theme, themes)
    values["keywords"] = list(theme.keywords)
    values["quotes"] = [dict(q) for q in theme.quotes]
    return values


def _ref_filter(refs: Collection[TextRef]) -> sa.ColumnElement[bool]:
    by_source: dict[str, list[int]] = defaultdict(list)
    for source, source_id in refs:
        by_source[source].append(int(source_id))
    return sa.or_(
        sa.false(),
        *(
            sa.and_(
                theme_memberships.c.source == source,
                theme_memberships.c.source_id.in_(ids),
            )
            for source, ids in by_source.items()
        ),
    )


def _latest_run_id(consultation_id: int) -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.max(theme_runs.c.id))
        .where(theme_runs.c.consultation_id == consultation_id)
        .scalar_subquery()
    )


class SqlThemeRepository(SessionRepository):
    # --- runs and themes ---------------------------------------------------------------

    async def add_run(self, run: ThemeRun) -> ThemeRun:
        values = column_values(run, theme_runs)
        values["params"] = dict(run.params)
        row = (
            await self.session.execute(
                sa.insert(theme_runs).values(values).returning(*theme_runs.c)
            )
        ).mappings()
        return _run(row.one())

    async def latest_run(self, consultation_id: int) -> ThemeRun | None:
        row = (
            (
                await self.session.execute(
                    sa.select(theme_runs).where(theme_runs.c.id == _latest_run_id(consultation_id))
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _run(row)

    async def current(self, consultation_id: int) -> Sequence[Theme]:
        rows = await self.session.execute(
            sa.select(themes)
            .where(themes.c.run_id == _latest_run_id(consultation_id))
            .order_by(themes.c.position, themes.c.id)
        )
        return [_theme(row) for row in rows.mappings()]

    async def get(self, theme_id: int) -> tuple[Theme, int] | None:
        row = (
            (
                await self.session.execute(
                    sa.select(themes, theme_runs.c.consultation_id)
                    .join(theme_runs, theme_runs.c.id == themes.c.run_id)
                    .where(themes.c.id == theme_id)
                )
            )
            .mappings()
            .first()
        )
        if row is None or row["consultation_id"] is None:
            return None
        return _theme(row), int(row["consultation_id"])

    async def save(self, run_id: int, items: Sequence[Theme]) -> list[Theme]:
        saved: list[Theme] = []
        for theme in items:
            theme.run_id = run_id
            values = _theme_values(theme)
            if theme.id is None:
                result = await self.session.execute(
                    sa.insert(themes).values(values).returning(themes.c.id)
                )
                theme.id = int(result.scalar_one())
            else:
                await self.session.execute(
                    sa.update(themes).where(themes.c.id == theme.id).values(values)
                )
            saved.append(theme)
        return saved

    async def delete(self, theme_ids: Collection[int]) -> None:
        if theme_ids:
            await self.session.execute(sa.delete(themes).where(themes.c.id.in_(list(theme_ids))))

    # --- memberships -------------------------------------------------------------------

    async def memberships(self, consultation_id: int) -> Sequence[ThemeMembership]:
        rows = await self.session.execute(
            sa.select(
                theme_memberships.c.theme_id,
                theme_memberships.c.source,
                theme_memberships.c.source_id,
            )
            .join(themes, themes.c.id == theme_memberships.c.theme_id)
            .where(themes.c.run_id == _latest_run_id(consultation_id))
        )
        return [ThemeMembership(t, TextSource(s), i) for t, s, i in rows]

    async def replace_memberships(
        self, theme_ids: Collection[int], memberships: Sequence[ThemeMembership]
    ) -> None:
        if theme_ids:
            await self.session.execute(
                sa.delete(theme_memberships).where(
                    theme_memberships.c.theme_id.in_(list(theme_ids))
                )
            )
        await self.add_memberships(memberships)

    async def add_memberships(self, memberships: Sequence[ThemeMembership]) -> None:
        rows = [
            {"theme_id": m.theme_id, "source": str(m.source), "source_id": m.source_id}
            for m in memberships
        ]
        if rows:  # executemany: SQLAlchemy batches it into multi-row INSERTs itself
            await self.session.execute(sa.insert(theme_memberships), rows)

    async def remove_memberships(
        self, theme_ids: Collection[int], refs: Collection[TextRef]
    ) -> None:
        if theme_ids and refs:
            await self.session.execute(
                sa.delete(theme_memberships).where(
                    theme_memberships.c.theme_id.in_(list(theme_ids)), _ref_filter(refs)
                )
            )

    async def text_authors(self, consultation_id: int) -> dict[TextRef, int]:
        authors: dict[TextRef, int] = {}
        answer_rows = await self.session.execute(
            sa.select(answers.c.id, participations.c.participant_id)
            .join(participations, participations.c.id == answers.c.participation_id)
            .where(participations.c.consultation_id == consultation_id)
        )
        for answer_id, participant_id in answer_rows:
            authors[(TextSource.ANSWER.value, answer_id)] = participant_id
        idea_rows = await self.session.execute(
            sa.select(ideas.c.id, ideas.c.participant_id).where(
                ideas.c.consultation_id == consultation_id
            )
        )
        for idea_id, participant_id in idea_rows:
            # An anonymised idea has no author left: it counts as a person of its own.
            authors[(TextSource.IDEA.value, idea_id)] = (
                participant_id if participant_id is not None else -idea_id
            )
        return authors

    async def forget_texts(self, refs: Collection[TextRef]) -> int:
        """Memberships go, sizes shrink, and quotes taken from these texts are dropped.

        Quotes carry their source, so this needs no text matching; the next run picks new
        quotes. Every theme row is scanned for quotes: there are only the current themes
        of each consultation (tens), never the history.
        """
        wanted = {(str(s), int(i)) for s, i in refs}
        if not wanted:
            return 0
        counts = await self.session.execute(
            sa.select(theme_memberships.c.theme_id, sa.func.count())
            .where(_ref_filter(wanted))
            .group_by(theme_memberships.c.theme_id)
        )
        shrink = {theme_id: int(n) for theme_id, n in counts}
        await self.session.execute(sa.delete(theme_memberships).where(_ref_filter(wanted)))
        touched = 0
        rows = await self.session.execute(sa.select(themes.c.id, themes.c.quotes, themes.c.size))
        for theme_id, quotes, size in rows.all():
            kept = [
                q
                for q in quotes or []
                if (str(q.get("source")), int(q.get("source_id", -1))) not in wanted
            ]
            gone = shrink.get(theme_id, 0)
            if gone or len(kept) != len(quotes or []):
                await self.session.execute(
                    sa.update(themes)
                    .where(themes.c.id == theme_id)
                    .values(quotes=kept, size=max(0, int(size) - gone))
                )
                touched += 1
        return touched

    # --- curations ---------------------------------------------------------------------

    async def add_curation(self, curation: ThemeCuration) -> ThemeCuration:
        values = column_values(curation, theme_curations)
        values["detail"] = dict(curation.detail)
        result = await self.session.execute(
            sa.insert(theme_curations).values(values).returning(theme_curations.c.id)
        )
        curation.id = int(result.scalar_one())
        return curation

    async def curations(self, consultation_id: int) -> Sequence[ThemeCuration]:
        rows = await self.session.execute(
            sa.select(theme_curations)
            .where(theme_curations.c.consultation_id == consultation_id)
            .order_by(theme_curations.c.id)
        )
        return [
            ThemeCuration(
                consultation_id=row["consultation_id"],
                action=row["action"],
                detail=dict(row["detail"] or {}),
                staff_id=row["staff_id"],
                created_at=row["created_at"],
                id=row["id"],
            )
            for row in rows.mappings()
        ]

    # --- reading for the chat ----------------------------------------------------------

    async def text_times(self, consultation_id: int) -> dict[TextRef, datetime]:
        """When each answer and idea of the consultation was written ("+N this week")."""
        times: dict[TextRef, datetime] = {}
        answer_rows = await self.session.execute(
            sa.select(answers.c.id, answers.c.answered_at)
            .join(participations, participations.c.id == answers.c.participation_id)
            .where(participations.c.consultation_id == consultation_id)
        )
        for answer_id, at in answer_rows:
            times[(TextSource.ANSWER.value, answer_id)] = at
        idea_rows = await self.session.execute(
            sa.select(ideas.c.id, ideas.c.created_at).where(
                ideas.c.consultation_id == consultation_id
            )
        )
        for idea_id, at in idea_rows:
            times[(TextSource.IDEA.value, idea_id)] = at
        return times
