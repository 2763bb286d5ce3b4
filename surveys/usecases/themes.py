"""Themes of a consultation over time: cluster, assign new texts, keep identity and curation.

:func:`refresh_themes` is the long job (CLI, nightly scheduler, background assigner):

- the pool is the consultation's free texts (``ConsultationRepository.free_texts``: answers
  to free-text questions and ideas, without previews, hidden or erased ones);
- vectors come from the database cache; only texts it lacks are encoded, and they are saved
  batch by batch in their own transactions, so an interrupted job keeps what it computed;
- ``full=True`` (or no run yet) re-clusters everything, matches the new clusters to the
  current themes by membership overlap (so ids, and with them staff curation, carry over),
  replays every stored curation, and replaces the current themes in one transaction;
- ``full=False`` only puts texts no run has seen yet into the nearest theme or ``other``.

The engine (``nlp.service``) does the numerical work; reads and writes are short
transactions around it, never one transaction held through the clustering. Curation use
cases change the current themes at once and store the edit in ``theme_curations`` so the
next re-clustering replays it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from surveys.entities import (
    AuditEntry,
    FreeText,
    Role,
    TextSource,
    Theme,
    ThemeCuration,
    ThemeMembership,
    ThemeRun,
)
from surveys.ports import Clock, ThemeEngine, UnitOfWork, UnitOfWorkFactory
from surveys.themes import (
    CuratedGroup,
    CurationStep,
    ProgressCallback,
    Quote,
    TextRef,
    ThemeDraft,
    text_key,
)
from surveys.usecases.outcomes import ConsultationNotFound
from surveys.usecases.staff import Actor, NotAllowed

OTHER_KIND = "other"
THEME_KIND = "theme"
OTHER_LABEL = "other"
QUOTES_PER_THEME = 3
VECTOR_BATCH = 256  # texts encoded (and committed) per batch
CURATOR_ROLES = frozenset({Role.ADMIN, Role.FACILITATOR, Role.ANALYST})


@dataclass(frozen=True)
class ThemesRefreshed:
    """What a refresh did (also in the audit log)."""

    slug: str
    full: bool
    texts: int
    encoded: int  # texts whose vectors were computed (not found in the cache)
    themes: int
    assigned: int  # texts put in a theme by this call
    other: int  # texts put in "other" by this call
    run_id: int | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ThemeNotFound:
    theme_id: int


@dataclass(frozen=True)
class CurationRejected:
    """The edit cannot be made; ``reason`` is a stable code the caller translates."""

    reason: str  # "too_small" | "not_member" | "same_theme" | "no_texts"


@dataclass(frozen=True)
class Curated:
    curation: ThemeCuration
    theme_ids: list[int]


def _ref(text: FreeText) -> TextRef:
    return (str(text.source), text.source_id)


def _noop(stage: str, done: int, total: int) -> None:
    return None


# --- refresh ------------------------------------------------------------------------------


@dataclass
class _Pool:
    consultation_id: int
    texts: list[FreeText]
    authors: list[int]
    current: list[Theme]
    members: dict[int, set[TextRef]]  # theme id → refs, the "other" bucket included
    curations: list[ThemeCuration]

    @property
    def refs(self) -> list[TextRef]:
        return [_ref(t) for t in self.texts]

    @property
    def other(self) -> Theme | None:
        return next((t for t in self.current if t.kind == OTHER_KIND), None)


async def _read_pool(uow: UnitOfWork, consultation_id: int) -> _Pool:
    texts = [t for t in await uow.consultations.free_texts(consultation_id) if t.text.strip()]
    authors_by_ref = await uow.themes.text_authors(consultation_id)
    members: dict[int, set[TextRef]] = {}
    for membership in await uow.themes.memberships(consultation_id):
        members.setdefault(membership.theme_id, set()).add(
            (str(membership.source), membership.source_id)
        )
    return _Pool(
        consultation_id=consultation_id,
        texts=texts,
        # A text whose author is unknown counts as a person of its own.
        authors=[authors_by_ref.get(_ref(t), -1 - i) for i, t in enumerate(texts)],
        current=list(await uow.themes.current(consultation_id)),
        members=members,
        curations=list(await uow.themes.curations(consultation_id)),
    )


async def _vectors(
    uow_factory: UnitOfWorkFactory,
    engine: ThemeEngine,
    texts: Sequence[str],
    progress: ProgressCallback,
) -> tuple[list[bytes] | None, int]:
    """Every text's vector, from the cache or freshly encoded (and cached); how many encoded."""
    if not engine.cacheable:
        return None, 0
    keys = [text_key(t) for t in texts]
    async with uow_factory() as uow:
        found = await uow.vectors.get_many(engine.backend, engine.model, set(keys))
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    text_of = dict(zip(keys, texts, strict=True))
    for start in range(0, len(missing), VECTOR_BATCH):
        chunk = missing[start : start + VECTOR_BATCH]
        encoded = await engine.vectorise([text_of[k] for k in chunk])
        fresh = dict(zip(chunk, encoded, strict=True))
        async with uow_factory() as uow:
            dimensions = len(encoded[0]) // 4 if encoded else 0
            await uow.vectors.put_many(engine.backend, engine.model, dimensions, fresh)
            await uow.commit()
        found.update(fresh)
        progress("vectorising", min(start + VECTOR_BATCH, len(missing)), len(missing))
    return [found[k] for k in keys], len(missing)


async def refresh_themes(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    engine: ThemeEngine,
    slug: str,
    *,
    full: bool = True,
    min_group_size: int = 5,
    progress: ProgressCallback | None = None,
) -> ThemesRefreshed | ConsultationNotFound:
    """Bring the consultation's themes up to date (see the module docstring)."""
    report = progress or _noop
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None or consultation.id is None:
            return ConsultationNotFound(slug)
        pool = await _read_pool(uow, consultation.id)
        has_run = await uow.themes.latest_run(consultation.id) is not None
    if has_run and not full:
        return await _assign_new(uow_factory, clock, engine, slug, pool, report)
    return await _recluster(uow_factory, clock, engine, slug, pool, min_group_size, report)


async def _recluster(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    engine: ThemeEngine,
    slug: str,
    pool: _Pool,
    min_group_size: int,
    report: ProgressCallback,
) -> ThemesRefreshed:
    texts = [t.text for t in pool.texts]
    refs = pool.refs
    vectors, encoded = await _vectors(uow_factory, engine, texts, report)
    clustered = await engine.cluster(texts, vectors, pool.authors, min_group_size, report)
    report("saving", 0, 1)

    previous = {
        t.id: CuratedGroup(t.label, set(pool.members.get(t.id, set())), t.hidden, t.keywords)
        for t in pool.current
        if t.kind == THEME_KIND and t.id is not None
    }
    fresh = iter(range(-1, -1_000_000, -1))  # temporary ids: new rows get theirs on insert
    groups = engine.carry_over(
        previous,
        [
            CuratedGroup(d.label, {refs[i] for i in d.members}, False, list(d.keywords))
            for d in clustered.themes
        ],
        [CurationStep(c.action, dict(c.detail)) for c in pool.curations],
        lambda: next(fresh),
    )
    # Curation can leave a theme with too few people to publish: it goes to "other".
    author_of = dict(zip(refs, pool.authors, strict=True))
    known = set(refs)
    kept = {
        theme_id: group
        for theme_id, group in groups.items()
        if len({author_of[m] for m in group.members & known}) >= min_group_size
    }
    order = sorted(kept, key=lambda i: (-len(kept[i].members & known), i))
    index_of = {ref: i for i, ref in enumerate(refs)}
    member_rows = [sorted(index_of[m] for m in kept[i].members & known) for i in order]
    quotes = await _quotes(engine, texts, vectors, member_rows, clustered.themes)

    other = pool.other
    themes: list[Theme] = []
    for position, (theme_id, rows, picked) in enumerate(
        zip(order, member_rows, quotes, strict=True)
    ):
        group = kept[theme_id]
        themes.append(
            Theme(
                run_id=0,
                label=group.label,
                keywords=list(group.keywords),
                size=len(rows),
                hidden=group.hidden,
                position=position,
                quotes=_quote_rows(picked, refs),
                id=theme_id if theme_id in previous else None,
            )
        )
    in_theme = {m for i in order for m in kept[i].members & known}
    other_refs = [r for r in refs if r not in in_theme]
    themes.append(
        Theme(
            run_id=0,
            label=OTHER_LABEL,
            size=len(other_refs),
            position=len(themes),
            id=other.id if other is not None else None,
            kind=OTHER_KIND,
        )
    )
    memberships_of = [[refs[i] for i in rows] for rows in member_rows] + [other_refs]

    async with uow_factory() as uow:
        # Texts erased or hidden while we clustered must not come back through this run.
        still = {_ref(t) for t in await uow.consultations.free_texts(pool.consultation_id)}
        run = await uow.themes.add_run(
            ThemeRun(
                pool.consultation_id,
                clustered.backend,
                clustered.model,
                len(themes) - 1,
                params={**clustered.params, "texts": len(texts), "encoded": encoded},
                created_at=clock.now(),
            )
        )
        assert run.id is not None
        for theme, members in zip(themes, memberships_of, strict=True):
            theme.quotes = [q for q in theme.quotes if (q["source"], q["source_id"]) in still]
            theme.size = sum(1 for m in members if m in still)
        saved = await uow.themes.save(run.id, themes)
        ended = [
            t.id for t in pool.current if t.id is not None and t.id not in {s.id for s in saved}
        ]
        await uow.themes.delete(ended)
        memberships = [
            ThemeMembership(theme.id, TextSource(source), source_id)
            for theme, members in zip(saved, memberships_of, strict=True)
            if theme.id is not None
            for source, source_id in members
            if (source, source_id) in still
        ]
        saved_ids = [t.id for t in saved if t.id is not None]
        await uow.themes.replace_memberships(saved_ids, memberships)
        await uow.audit.add(
            AuditEntry(
                "themes.recluster",
                target=f"consultation:{pool.consultation_id}",
                detail={
                    "run": run.id,
                    "texts": len(texts),
                    "encoded": encoded,
                    "themes": len(saved) - 1,
                    "ended": len(ended),
                },
                at=clock.now(),
            )
        )
        await uow.commit()
    report("saving", 1, 1)
    return ThemesRefreshed(
        slug=slug,
        full=True,
        texts=len(texts),
        encoded=encoded,
        themes=len(saved) - 1,
        assigned=len(in_theme),
        other=len(other_refs),
        run_id=run.id,
        warnings=list(clustered.params.get("warnings", [])),
    )


async def _quotes(
    engine: ThemeEngine,
    texts: Sequence[str],
    vectors: Sequence[bytes] | None,
    member_rows: Sequence[list[int]],
    drafts: Sequence[ThemeDraft],
) -> list[list[Quote]]:
    """Quotes per final theme: the clustering's own where curation left the theme as it
    was; picked afresh (from those themes' texts only) where it changed the members."""
    picked = {frozenset(d.members): d.quotes for d in drafts if d.quotes}
    out: list[list[Quote] | None] = [picked.get(frozenset(rows)) for rows in member_rows]
    changed = [i for i, quotes in enumerate(out) if quotes is None]
    if changed:
        used = sorted({r for i in changed for r in member_rows[i]})
        local = {r: j for j, r in enumerate(used)}
        fresh = await engine.quotes(
            [texts[r] for r in used],
            [vectors[r] for r in used] if vectors is not None else None,
            [[local[r] for r in member_rows[i]] for i in changed],
            QUOTES_PER_THEME,
        )
        for i, quotes in zip(changed, fresh, strict=True):
            out[i] = [Quote(used[q.index], q.text) for q in quotes]
    return [quotes or [] for quotes in out]


def _quote_rows(quotes: Sequence[Quote], refs: Sequence[TextRef]) -> list[dict[str, Any]]:
    return [
        {"text": q.text, "source": refs[q.index][0], "source_id": refs[q.index][1]} for q in quotes
    ]


async def _assign_new(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    engine: ThemeEngine,
    slug: str,
    pool: _Pool,
    report: ProgressCallback,
) -> ThemesRefreshed:
    seen: set[TextRef] = set().union(*pool.members.values()) if pool.members else set()
    refs = pool.refs
    new = [i for i, ref in enumerate(refs) if ref not in seen]
    visible = [t for t in pool.current if t.kind == THEME_KIND and t.id is not None]
    # Texts hidden by moderation since the last run leave their themes and quotes now.
    stale = seen - set(refs)
    if not new and not stale:
        return ThemesRefreshed(slug, False, len(refs), 0, len(visible), 0, 0)
    # Only the texts that matter: members of current themes and the new ones.
    index_of = {ref: i for i, ref in enumerate(refs)}
    groups_full = [
        sorted(index_of[m] for m in pool.members.get(t.id or 0, set()) if m in index_of)
        for t in visible
    ]
    used = sorted({i for rows in groups_full for i in rows} | set(new))
    local = {i: j for j, i in enumerate(used)}
    texts = [pool.texts[i].text for i in used]
    vectors, encoded = await _vectors(uow_factory, engine, texts, report)
    report("assigning", 0, len(new))
    choice = await engine.assign(
        texts, vectors, [[local[i] for i in rows] for rows in groups_full], [local[i] for i in new]
    )
    report("assigning", len(new), len(new))

    async with uow_factory() as uow:
        run = await uow.themes.latest_run(pool.consultation_id)
        assert run is not None and run.id is not None
        still = {_ref(t) for t in await uow.consultations.free_texts(pool.consultation_id)}
        await uow.themes.forget_texts(stale | (seen - still))
        current = {t.id: t for t in await uow.themes.current(pool.consultation_id)}
        other = next((t for t in current.values() if t.kind == OTHER_KIND), None)
        if other is None:
            other = Theme(run.id, OTHER_LABEL, position=len(current), kind=OTHER_KIND)
            await uow.themes.save(run.id, [other])
        assert other.id is not None
        rows: list[ThemeMembership] = []
        grown: dict[int, int] = {}
        assigned = 0
        for i, pick in zip(new, choice, strict=True):
            source, source_id = refs[i]
            if (source, source_id) not in still:
                continue
            target = visible[pick].id if pick is not None else other.id
            if target not in current and target != other.id:
                target = other.id  # the theme went away meanwhile (a merge)
            assert target is not None
            assigned += int(target != other.id)
            grown[target] = grown.get(target, 0) + 1
            rows.append(ThemeMembership(target, TextSource(source), source_id))
        await uow.themes.add_memberships(rows)
        changed = []
        for theme_id, count in grown.items():
            theme = current.get(theme_id, other)
            theme.size += count
            changed.append(theme)
        await uow.themes.save(run.id, changed)
        await uow.audit.add(
            AuditEntry(
                "themes.assign",
                target=f"consultation:{pool.consultation_id}",
                detail={"texts": len(rows), "assigned": assigned, "encoded": encoded},
                at=clock.now(),
            )
        )
        await uow.commit()
    return ThemesRefreshed(
        slug=slug,
        full=False,
        texts=len(refs),
        encoded=encoded,
        themes=len(visible),
        assigned=assigned,
        other=len(rows) - assigned,
        run_id=run.id,
    )


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeView:
    theme: Theme
    members: list[TextRef]


async def current_themes(
    uow_factory: UnitOfWorkFactory, slug: str
) -> list[ThemeView] | ConsultationNotFound:
    """The current themes (the ``other`` bucket last) with their members."""
    async with uow_factory() as uow:
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None or consultation.id is None:
            return ConsultationNotFound(slug)
        members: dict[int, list[TextRef]] = {}
        for m in await uow.themes.memberships(consultation.id):
            members.setdefault(m.theme_id, []).append((str(m.source), m.source_id))
        return [
            ThemeView(t, sorted(members.get(t.id or 0, [])))
            for t in await uow.themes.current(consultation.id)
        ]


# --- curation -----------------------------------------------------------------------------


async def _curate(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor | None,
    consultation_id: int,
    action: str,
    detail: dict[str, Any],
) -> ThemeCuration:
    curation = await uow.themes.add_curation(
        ThemeCuration(
            consultation_id,
            action,
            detail,
            staff_id=actor.staff_id if actor is not None else None,
            created_at=clock.now(),
        )
    )
    audit_detail: dict[str, Any] = {"curation": curation.id, **detail}
    if actor is not None and actor.staff_id is None:
        audit_detail["admin_telegram_user_id"] = actor.telegram_user_id
    await uow.audit.add(
        AuditEntry(
            f"themes.{action}",
            actor_staff_id=actor.staff_id if actor is not None else None,
            target=f"consultation:{consultation_id}",
            detail=audit_detail,
            at=clock.now(),
        )
    )
    return curation


def _allowed(actor: Actor | None) -> bool:
    """``None`` is the operator at the command line; staff need a curator role."""
    return actor is None or actor.role in CURATOR_ROLES


async def _denied(uow: UnitOfWork, clock: Clock, actor: Actor | None, action: str) -> NotAllowed:
    await uow.audit.add(
        AuditEntry(
            "staff.denied",
            actor_staff_id=actor.staff_id if actor is not None else None,
            detail={"action": f"themes.{action}"},
            at=clock.now(),
        )
    )
    await uow.commit()
    return NotAllowed(f"themes.{action}")


async def _theme(uow: UnitOfWork, theme_id: int) -> tuple[Theme, int] | None:
    found = await uow.themes.get(theme_id)
    if found is None or found[0].kind != THEME_KIND:
        return None
    return found


async def rename_theme(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor | None, theme_id: int, label: str
) -> Curated | ThemeNotFound | CurationRejected | NotAllowed:
    label = " ".join(label.split())[:120]
    async with uow_factory() as uow:
        if not _allowed(actor):
            return await _denied(uow, clock, actor, "rename")
        found = await _theme(uow, theme_id)
        if found is None:
            return ThemeNotFound(theme_id)
        if not label:
            return CurationRejected("empty_label")
        theme, consultation_id = found
        theme.label = label
        await uow.themes.save(theme.run_id, [theme])
        curation = await _curate(
            uow, clock, actor, consultation_id, "rename", {"theme": theme_id, "label": label}
        )
        await uow.commit()
    return Curated(curation, [theme_id])


async def hide_theme(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor | None,
    theme_id: int,
    hidden: bool = True,
) -> Curated | ThemeNotFound | NotAllowed:
    action = "hide" if hidden else "unhide"
    async with uow_factory() as uow:
        if not _allowed(actor):
            return await _denied(uow, clock, actor, action)
        found = await _theme(uow, theme_id)
        if found is None:
            return ThemeNotFound(theme_id)
        theme, consultation_id = found
        theme.hidden = hidden
        await uow.themes.save(theme.run_id, [theme])
        curation = await _curate(uow, clock, actor, consultation_id, action, {"theme": theme_id})
        await uow.commit()
    return Curated(curation, [theme_id])


async def merge_themes(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor | None,
    theme_ids: Sequence[int],
    into: int,
) -> Curated | ThemeNotFound | CurationRejected | NotAllowed:
    """Fold ``theme_ids`` into ``into`` (members, size, quotes); the others are deleted."""
    async with uow_factory() as uow:
        if not _allowed(actor):
            return await _denied(uow, clock, actor, "merge")
        target = await _theme(uow, into)
        if target is None:
            return ThemeNotFound(into)
        theme, consultation_id = target
        sources: list[Theme] = []
        for theme_id in dict.fromkeys(theme_ids):
            if theme_id == into:
                continue
            found = await _theme(uow, theme_id)
            if found is None or found[1] != consultation_id:
                return ThemeNotFound(theme_id)
            sources.append(found[0])
        if not sources:
            return CurationRejected("same_theme")
        moving = [
            m
            for m in await uow.themes.memberships(consultation_id)
            if m.theme_id in {s.id for s in sources}
        ]
        for source in sources:
            theme.size += source.size
            theme.quotes = (theme.quotes + source.quotes)[
                : max(QUOTES_PER_THEME, len(theme.quotes))
            ]
        await uow.themes.delete([s.id for s in sources if s.id is not None])
        await uow.themes.add_memberships(
            [ThemeMembership(into, m.source, m.source_id) for m in moving]
        )
        await uow.themes.save(theme.run_id, [theme])
        detail = {"themes": [s.id for s in sources], "into": into}
        curation = await _curate(uow, clock, actor, consultation_id, "merge", detail)
        await uow.commit()
    return Curated(curation, [into])


async def split_theme(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor | None,
    theme_id: int,
    members: Collection[TextRef],
    label: str,
    *,
    min_group_size: int = 5,
) -> Curated | ThemeNotFound | CurationRejected | NotAllowed:
    """Move ``members`` of a theme into a new theme called ``label``.

    Both parts must keep ``min_group_size`` contributors, or the split would publish a group
    too small to protect its people. Quotes that came from the moved texts move with them;
    the new theme gets its full set of quotes at the next re-clustering.
    """
    moving = {(str(s), int(i)) for s, i in members}
    async with uow_factory() as uow:
        if not _allowed(actor):
            return await _denied(uow, clock, actor, "split")
        found = await _theme(uow, theme_id)
        if found is None:
            return ThemeNotFound(theme_id)
        theme, consultation_id = found
        current = {
            (str(m.source), m.source_id)
            for m in await uow.themes.memberships(consultation_id)
            if m.theme_id == theme_id
        }
        if not moving or not moving <= current:
            return CurationRejected("not_member")
        authors = await uow.themes.text_authors(consultation_id)
        staying = current - moving
        for part in (moving, staying):
            if len({authors.get(m, m[1]) for m in part}) < min_group_size:
                return CurationRejected("too_small")
        label = " ".join(label.split())[:120] or theme.label
        new = Theme(
            theme.run_id,
            label,
            size=len(moving),
            position=theme.position,
            quotes=[q for q in theme.quotes if (q["source"], q["source_id"]) in moving],
        )
        theme.quotes = [q for q in theme.quotes if (q["source"], q["source_id"]) not in moving]
        theme.size = len(staying)
        saved = await uow.themes.save(theme.run_id, [theme, new])
        new_id = saved[1].id
        assert new_id is not None
        await uow.themes.remove_memberships([theme_id], moving)
        await uow.themes.add_memberships(
            [ThemeMembership(new_id, TextSource(s), i) for s, i in sorted(moving)]
        )
        detail = {
            "theme": theme_id,
            "members": [list(m) for m in sorted(moving)],
            "new_theme": new_id,
            "label": label,
        }
        curation = await _curate(uow, clock, actor, consultation_id, "split", detail)
        await uow.commit()
    return Curated(curation, [theme_id, new_id])


async def move_text(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor | None,
    slug: str,
    ref: TextRef,
    to: int | None,
) -> Curated | ThemeNotFound | CurationRejected | ConsultationNotFound | NotAllowed:
    """Put one text in theme ``to`` (``None``: "other"), wherever it was."""
    member = (str(ref[0]), int(ref[1]))
    async with uow_factory() as uow:
        if not _allowed(actor):
            return await _denied(uow, clock, actor, "move")
        consultation = await uow.consultations.get_by_slug(slug)
        if consultation is None or consultation.id is None:
            return ConsultationNotFound(slug)
        current = {t.id: t for t in await uow.themes.current(consultation.id)}
        other = next((t for t in current.values() if t.kind == OTHER_KIND), None)
        target = current.get(to) if to is not None else other
        if target is None or target.id is None:
            return ThemeNotFound(to if to is not None else -1)
        holders = [
            m.theme_id
            for m in await uow.themes.memberships(consultation.id)
            if (str(m.source), m.source_id) == member
        ]
        if not holders:
            return CurationRejected("not_member")
        if holders == [target.id]:
            return CurationRejected("same_theme")
        await uow.themes.remove_memberships(holders, [member])
        await uow.themes.add_memberships(
            [ThemeMembership(target.id, TextSource(member[0]), member[1])]
        )
        changed = []
        for holder in holders:
            theme = current[holder]
            theme.size = max(0, theme.size - 1)
            theme.quotes = [q for q in theme.quotes if (q["source"], q["source_id"]) != member]
            changed.append(theme)
        target.size += 1
        changed.append(target)
        await uow.themes.save(target.run_id, changed)
        detail = {"member": list(member), "to": to}
        curation = await _curate(uow, clock, actor, consultation.id, "move", detail)
        await uow.commit()
    return Curated(curation, [target.id])


# --- erasure ------------------------------------------------------------------------------


async def forget_texts(uow: UnitOfWork, texts: Sequence[tuple[TextRef, str]]) -> None:
    """Inside an erasure's unit of work: drop these texts from themes, quotes and the cache.

    ``texts`` are (ref, raw text) pairs; the raw text names the cached vector.
    """
    if not texts:
        return
    await uow.themes.forget_texts([ref for ref, _ in texts])
    await uow.vectors.forget({text_key(text) for _, text in texts})
