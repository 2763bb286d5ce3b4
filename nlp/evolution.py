"""Themes over time: assign new texts, carry theme identity across re-clusterings, replay curation.

Pure logic; ``bot`` persists the inputs and outputs (theme_runs, themes, memberships,
curations). Theme identity is a stable id chosen by the caller (the database id).

- :func:`assign_new` puts a new answer in the nearest theme, or in "other" (``None``) when it
  is less similar than the theme's least similar member was.
- :func:`match_themes` pairs a fresh clustering's clusters with the previous themes by
  membership overlap (Jaccard), one-to-one (Hungarian), so a theme that continues keeps its
  id, label and curation.
- :func:`replay_curations` re-applies staff edits (rename, merge, split, move, hide) to a
  new clustering, skipping edits whose themes no longer exist.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.preprocessing import normalize

Member = Hashable  # e.g. (source, source_id) of a FreeText


@dataclass
class ThemeModel:
    """What assignment needs from a theme run: the centring mean and one row per theme."""

    theme_ids: list[int]
    centroids: np.ndarray  # unit vectors, in the centred space
    thresholds: list[float]
    mean: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme_ids": list(self.theme_ids),
            "centroids": self.centroids.astype(float).tolist(),
            "thresholds": list(self.thresholds),
            "mean": self.mean.astype(float).tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ThemeModel:
        return cls(
            theme_ids=[int(i) for i in data["theme_ids"]],
            centroids=np.asarray(data["centroids"], dtype=np.float32),
            thresholds=[float(t) for t in data["thresholds"]],
            mean=np.asarray(data["mean"], dtype=np.float32),
        )


def assign_new(model: ThemeModel, vectors: np.ndarray) -> list[int | None]:
    """Theme id per new vector (raw encoder output), or ``None`` for "other"."""
    if len(vectors) == 0:
        return []
    if not model.theme_ids:
        return [None] * len(vectors)
    centred = normalize(np.asarray(vectors, dtype=np.float32) - model.mean)
    sims = centred @ model.centroids.T
    best = sims.argmax(axis=1)
    out: list[int | None] = []
    for row, column in enumerate(best):
        fits = sims[row, column] >= model.thresholds[column]
        out.append(model.theme_ids[column] if fits else None)
    return out


def jaccard(a: set[Member], b: set[Member]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def match_themes(
    previous: Mapping[int, Iterable[Member]],
    current: Sequence[Iterable[Member]],
    min_overlap: float = 0.2,
) -> dict[int, int]:
    """Map current cluster index → previous theme id, one-to-one, by best total Jaccard.

    Pairs below ``min_overlap`` are not matches: that cluster is a new theme, and that
    previous theme has ended (or was absorbed).
    """
    prev_ids = list(previous)
    prev_sets = [set(previous[i]) for i in prev_ids]
    cur_sets = [set(c) for c in current]
    if not prev_sets or not cur_sets:
        return {}
    overlap = np.array([[jaccard(c, p) for p in prev_sets] for c in cur_sets])
    rows, cols = linear_sum_assignment(-overlap)
    return {
        int(r): prev_ids[c] for r, c in zip(rows, cols, strict=True) if overlap[r, c] >= min_overlap
    }


@dataclass
class CuratedTheme:
    label: str
    members: set[Member] = field(default_factory=set)
    hidden: bool = False
    keywords: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Curation:
    """One staff edit, as stored in ``theme_curations`` (action + detail)."""

    action: str  # rename | merge | split | move | hide | unhide
    detail: Mapping[str, Any]


def _next_id(themes: Mapping[int, CuratedTheme]) -> int:
    return max(themes, default=-1) + 1


def apply_curation(themes: dict[int, CuratedTheme], edit: Curation) -> bool:
    """Apply one edit in place; False when it no longer applies (its theme is gone)."""
    d = edit.detail
    if edit.action == "rename":
        theme = themes.get(int(d["theme"]))
        if theme is None:
            return False
        theme.label = str(d["label"])
        return True
    if edit.action in ("hide", "unhide"):
        theme = themes.get(int(d["theme"]))
        if theme is None:
            return False
        theme.hidden = edit.action == "hide"
        return True
    if edit.action == "merge":
        into = int(d["into"])
        sources = [int(t) for t in d["themes"] if int(t) != into and int(t) in themes]
        if into not in themes or not sources:
            return False
        for source in sources:
            themes[into].members |= themes.pop(source).members
        return True
    if edit.action == "split":
        theme = themes.get(int(d["theme"]))
        moving = {m for m in _members(d["members"]) if theme and m in theme.members}
        if theme is None or not moving:
            return False
        new_id = int(d.get("new_theme", _next_id(themes)))
        if new_id in themes:
            new_id = _next_id(themes)
        theme.members -= moving
        themes[new_id] = CuratedTheme(label=str(d.get("label", theme.label)), members=moving)
        return True
    if edit.action == "move":
        member = _member(d["member"])
        target = d.get("to")
        if target is not None and int(target) not in themes:
            return False
        for theme in themes.values():
            theme.members.discard(member)
        if target is not None:  # None moves the answer to "other"
            themes[int(target)].members.add(member)
        return True
    return False


def _member(value: Any) -> Member:
    return tuple(value) if isinstance(value, list) else value


def _members(values: Iterable[Any]) -> set[Member]:
    return {_member(v) for v in values}


def replay_curations(
    themes: Mapping[int, CuratedTheme], curations: Sequence[Curation]
) -> tuple[dict[int, CuratedTheme], list[Curation]]:
    """A copy of ``themes`` with ``curations`` applied in order, and the edits skipped."""
    result = {
        i: CuratedTheme(t.label, set(t.members), t.hidden, list(t.keywords))
        for i, t in themes.items()
    }
    skipped = [c for c in curations if not apply_curation(result, c)]
    return result, skipped


def carry_over(
    previous: Mapping[int, CuratedTheme],
    current: Sequence[CuratedTheme],
    curations: Sequence[Curation],
    min_overlap: float = 0.2,
) -> tuple[dict[int, CuratedTheme], list[Curation]]:
    """A re-clustering seen through staff eyes: ids matched, then curation replayed.

    Continuing themes keep their previous id (edits refer to it); new clusters get fresh
    ids after the largest previous one. Labels come from the new run; a rename in
    ``curations`` puts the staff label back.
    """
    mapping = match_themes(
        {i: t.members for i, t in previous.items()}, [c.members for c in current], min_overlap
    )
    next_id = max(previous, default=-1) + 1
    themes: dict[int, CuratedTheme] = {}
    for index, cluster in enumerate(current):
        if index in mapping:
            theme_id = mapping[index]
        else:
            theme_id, next_id = next_id, next_id + 1
        themes[theme_id] = cluster
    return replay_curations(themes, curations)


def model_from_groups(vectors: np.ndarray, groups: Sequence[Sequence[int]]) -> ThemeModel:
    """A :class:`ThemeModel` rebuilt from stored memberships (theme ids = group positions).

    Centroids and thresholds come from the members themselves, so staff moves and merges
    shape where new texts go; the centring mean is that of every row given.
    """
    matrix = np.asarray(vectors, dtype=np.float32)
    mean = matrix.mean(axis=0) if len(matrix) else np.zeros(matrix.shape[1], dtype=np.float32)
    centred = normalize(matrix - mean) if len(matrix) else matrix
    ids: list[int] = []
    centroids: list[np.ndarray] = []
    thresholds: list[float] = []
    for position, rows in enumerate(groups):
        if not rows:
            continue
        members = centred[list(rows)]
        centroid = normalize(members.mean(axis=0, keepdims=True))[0]
        ids.append(position)
        centroids.append(centroid)
        thresholds.append(float((members @ centroid).min()))
    return ThemeModel(
        theme_ids=ids,
        centroids=np.stack(centroids) if centroids else np.zeros((0, matrix.shape[1])),
        thresholds=thresholds,
        mean=mean,
    )
