"""The Pol.is replay experiment (bench/voting_replay.py): its k-means and a whole replay.

The replay is a benchmark, not product code, but its numbers are quoted in bench/RESULTS.md
as evidence, so its Pol.is-style k-means and the replay loop must do what they claim.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np

from bench.voting_replay import _kmeans, replay


def test_kmeans_from_scratch_separates_two_blobs() -> None:
    points = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0], [5.1, 5.0], [5.0, 5.1]])
    clusters = _kmeans(list(range(6)), points, 2, None, 20)
    assert sorted(sorted(c) for c in clusters) == [[0, 1, 2], [3, 4, 5]]


def test_kmeans_continues_from_last_clusters_and_splits_off_the_farthest_point() -> None:
    # Last update had two clusters; now a far point (6) joined and k allows three: Pol.is
    # recentres the old clusters on their members and makes the most distant point a new one.
    points = np.array(
        [[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0], [5.1, 5.0], [5.0, 5.1], [20.0, 0.0]]
    )
    last = [[0, 1, 2], [3, 4, 5, 6]]
    clusters = _kmeans(list(range(7)), points, 3, last, 20)
    assert sorted(sorted(c) for c in clusters) == [[0, 1, 2], [3, 4, 5], [6]]


def _write_conversation(folder: Path, camps: dict[int, int]) -> dict[int, int]:
    """A Pol.is export: camp 0 agrees with statements 0–4 and disagrees with 5–9; camp 1
    the opposite. Votes arrive over time, participants one after another. Returns each
    participant's number of votes."""
    rng = random.Random(3)
    folder.mkdir()
    stamp = 1_500_000_000_000
    counts = dict.fromkeys(camps, 0)
    with (folder / "votes.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
        for participant, camp in camps.items():
            for statement in range(10):
                if rng.random() < 0.1:
                    continue
                agree = (statement < 5) == (camp == 0)
                stamp += 1000
                counts[participant] += 1
                out.writerow([stamp, "", statement, participant, 1 if agree else -1])
    with (folder / "participants-votes.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"])
        for participant, camp in camps.items():
            out.writerow([participant, camp, 0, 0, 0, 0])
    with (folder / "comments.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["comment-id", "moderated"])
        for statement in range(10):
            out.writerow([statement, 1])
    return counts


def test_replay_recovers_two_camps_and_is_deterministic(tmp_path: Path) -> None:
    camps = {p: p % 2 for p in range(60)}
    counts = _write_conversation(tmp_path / "two-camps", camps)
    first = replay(tmp_path / "two-camps", every=25)
    second = replay(tmp_path / "two-camps", every=25)
    assert first["ari"] == 1.0
    assert first["our_groups"] == 2
    # Only those with 7 votes or more enter the clustering (Pol.is's in-conv rule).
    assert first["compared"] == sum(n >= 7 for n in counts.values()) < 60
    assert {k: v for k, v in first.items() if k != "seconds"} == {
        k: v for k, v in second.items() if k != "seconds"
    }
