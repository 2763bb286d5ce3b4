"""Themes over time: assignment, identity across re-clusterings, curation replay."""

from __future__ import annotations

import numpy as np

from nlp.evolution import (
    CuratedTheme,
    Curation,
    ThemeModel,
    assign_new,
    carry_over,
    match_themes,
    replay_curations,
)


def test_new_answers_join_the_nearest_theme_or_other() -> None:
    model = ThemeModel(
        theme_ids=[10, 20],
        centroids=np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32),
        thresholds=[0.8, 0.8],
        mean=np.zeros(3, dtype=np.float32),
    )
    new = np.array([[2, 0.1, 0], [0.1, 3, 0.2], [0, 0, 1]], dtype=np.float32)
    assert assign_new(model, new) == [10, 20, None]
    restored = ThemeModel.from_dict(model.to_dict())
    assert assign_new(restored, new) == [10, 20, None]


def test_matching_follows_membership_overlap() -> None:
    previous = {7: {1, 2, 3, 4}, 9: {5, 6, 7, 8}}
    current = [{5, 6, 7, 9}, {1, 2, 3}, {20, 21, 22}]
    assert match_themes(previous, current) == {0: 9, 1: 7}


def test_matching_is_one_to_one() -> None:
    previous = {1: {1, 2, 3, 4, 5, 6}}
    current = [{1, 2, 3}, {4, 5, 6}]
    assert len(match_themes(previous, current)) == 1


def test_curation_replays_in_order_and_skips_what_no_longer_applies() -> None:
    themes = {
        0: CuratedTheme("traffico", {1, 2, 3}),
        1: CuratedTheme("parchi", {4, 5}),
        2: CuratedTheme("scuole", {6, 7, 8}),
    }
    edits = [
        Curation("rename", {"theme": 0, "label": "Mobilità"}),
        Curation("merge", {"themes": [1, 2], "into": 1}),
        Curation("move", {"member": 3, "to": 1}),
        Curation("split", {"theme": 1, "members": [6, 7], "label": "Asili", "new_theme": 5}),
        Curation("hide", {"theme": 0}),
        Curation("rename", {"theme": 42, "label": "gone"}),
        Curation("move", {"member": 8, "to": None}),
    ]
    result, skipped = replay_curations(themes, edits)
    assert skipped == [edits[5]]
    assert result[0].label == "Mobilità" and result[0].hidden and result[0].members == {1, 2}
    assert result[1].members == {3, 4, 5}
    assert result[5].label == "Asili" and result[5].members == {6, 7}
    assert 2 not in result
    assert all(8 not in t.members for t in result.values())
    assert themes[0].label == "traffico"  # the input is not modified


def test_a_reclustering_keeps_identity_and_staff_labels() -> None:
    previous = {3: CuratedTheme("bici", {1, 2, 3, 4}), 4: CuratedTheme("verde", {5, 6, 7})}
    current = [
        CuratedTheme("parchi, alberi", {5, 6, 7, 8}),
        CuratedTheme("piste ciclabili", {1, 2, 3, 4, 9}),
        CuratedTheme("rumore", {10, 11, 12}),
    ]
    edits = [Curation("rename", {"theme": 3, "label": "Ciclabilità"})]
    result, skipped = carry_over(previous, current, edits)
    assert not skipped
    assert result[3].label == "Ciclabilità" and 9 in result[3].members
    assert result[4].label == "parchi, alberi"
    assert result[5].label == "rumore"  # a new theme gets a fresh id
