"""Experiment: replay Pol.is's incremental clustering over a conversation's vote history.

    .venv/bin/python -m bench.voting_replay [--every 10] [--min-votes 7] [--no-write]

Pol.is does not cluster the final votes once: its math worker updates the conversation as
votes arrive, and each update starts from the previous one (compdemocracy/polis,
``math/src/polismath/math/conversation.clj`` and ``clusters.clj``, learnt from, not copied):

- **in-conv**: a participant enters the clustering once they have voted on min(7, statements
  so far) statements, and never leaves; below 15 such participants the most active ones are
  taken too.
- **base clusters** (k = 100): k-means on the in-conv participants' map points, starting from
  the previous update's clusters recentred on their members' new points; while there are
  fewer clusters than k (and distinct points), the point farthest from every centre becomes
  a new cluster. The first update starts from the first k distinct points.
- **groups**: for every k in 2…min(5, 2 + base clusters / 12), a k-means over the weighted
  base-cluster centres (20 iterations), started from the previous update's groups for that k.
- **k smoothing**: the best-silhouette k replaces the shown k only after it has won four
  updates in a row.

This script replays ``votes.csv`` in timestamp order, one update every ``--every`` votes, with
the map of :func:`nlp.opinion_groups._project` (the analyser's own PCA and projection), and
compares the last update's groups with Pol.is's, as ``bench.voting`` does. Pol.is carries
groups over by base-cluster id; here a group carries over the base clusters whose members
are mostly in it (the replay keeps base clusters as member lists).

Result (bench/RESULTS.md, "## Voting"): the replay does not recover Pol.is's groups on the
three conversations the one-shot analysis misses, so the analyser stays one-shot.
Writes bench/results/voting_replay.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score, silhouette_samples
from threadpoolctl import threadpool_limits

from bench.voting import conversations, moderated_out, polis_dir, polis_groups
from nlp.opinion_groups import _project

RESULTS_JSON = Path(__file__).resolve().parent / "results" / "voting_replay.json"
BASE_K, MAX_K, BASE_ITERS, GROUP_ITERS, K_BUFFER, GREEDY_N = 100, 5, 100, 20, 4, 15


@dataclass
class _State:
    """What Pol.is carries from one update to the next."""

    in_conv: set[int] = field(default_factory=set)
    base: list[list[int]] | None = None  # base clusters as member lists
    groups: dict[int, list[set[int]]] = field(default_factory=dict)  # k → participant sets
    last_k: int | None = None
    last_k_count: int = 0
    smoothed_k: int | None = None


def _wmean(points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    mean: np.ndarray = (points * weights[:, None]).sum(axis=0) / weights.sum()
    return mean


def _kmeans(
    names: list[int],
    points: np.ndarray,
    k: int,
    last: list[list[int]] | None,
    max_iters: int,
    weights: np.ndarray | None = None,
) -> list[list[int]]:
    """Pol.is-style k-means, optionally continuing from the previous clusters' members."""
    w = np.ones(len(names)) if weights is None else weights
    index = {n: i for i, n in enumerate(names)}
    if last:
        members = [[n for n in m if n in index] for m in last]
        members = [m for m in members if m]
        centres = [_wmean(points[[index[n] for n in m]], w[[index[n] for n in m]]) for m in members]
        possible = min(k, len(np.unique(points, axis=0)))
        while len(centres) < possible:  # split off the most distant point
            d = np.linalg.norm(points[:, None, :] - np.array(centres)[None], axis=2).min(axis=1)
            far = int(np.argmax(d))
            if d[far] <= 0:
                break
            members = [[n for n in m if n != names[far]] for m in members]
            members.append([names[far]])
            keep = [i for i, m in enumerate(members) if m]
            members = [members[i] for i in keep]
            centres = [
                _wmean(points[[index[n] for n in m]], w[[index[n] for n in m]]) for m in members
            ]
        centre_arr = np.array(centres)
    else:
        _, first = np.unique(points, axis=0, return_index=True)
        centre_arr = points[np.sort(first)[:k]].copy()
    assign = np.zeros(len(names), dtype=int)
    for _ in range(max_iters + 1):
        assign = np.linalg.norm(points[:, None, :] - centre_arr[None], axis=2).argmin(axis=1)
        used = np.unique(assign)
        new = np.array([_wmean(points[assign == c], w[assign == c]) for c in used])
        assign = np.searchsorted(used, assign)
        converged = len(new) == len(centre_arr) and bool(
            np.all(np.linalg.norm(new - centre_arr[used], axis=1) < 0.01)
        )
        centre_arr = new
        if converged:
            break
    return [[names[i] for i in np.flatnonzero(assign == c)] for c in range(len(centre_arr))]


def _update(
    state: _State,
    last: dict[tuple[int, int], int],
    order: list[int],
    hidden: set[int],
    min_votes: int,
) -> dict[int, int]:
    """One Pol.is update on the votes so far; participant → group of the shown k."""
    statements = sorted({s for _, s in last})
    row = {p: i for i, p in enumerate(order)}
    col = {s: j for j, s in enumerate(statements)}
    values = np.full((len(order), len(statements)), np.nan)
    for (p, s), v in last.items():
        values[row[p], col[s]] = v
    counts = (~np.isnan(values)).sum(axis=1)
    needed = min(min_votes, len(statements))
    state.in_conv.update(p for p in order if counts[row[p]] >= needed)
    if len(state.in_conv) < GREEDY_N:
        rest = sorted((p for p in order if p not in state.in_conv), key=lambda p: -counts[row[p]])
        state.in_conv.update(rest[: GREEDY_N - len(state.in_conv)])
    values[:, [col[s] for s in statements if s in hidden]] = 0.0
    points = _project(values)
    members = [p for p in order if p in state.in_conv]
    if len(members) < 4:
        return {}
    base = _kmeans(members, points[[row[p] for p in members]], BASE_K, state.base, BASE_ITERS)
    state.base = base
    centres = np.array([points[[row[p] for p in m]].mean(axis=0) for m in base])
    weights = np.array([len(m) for m in base], dtype=float)
    ids = list(range(len(base)))
    labels_by_k: dict[int, np.ndarray] = {}
    scores: dict[int, float] = {}
    for k in range(2, min(MAX_K, 2 + len(base) // 12) + 1):
        previous = [
            [b for b in ids if 2 * sum(p in group for p in base[b]) > len(base[b])]
            for group in state.groups.get(k, [])
        ]
        groups = _kmeans(ids, centres, k, [g for g in previous if g], GROUP_ITERS, weights)
        labels = np.zeros(len(base), dtype=int)
        for g, bases in enumerate(groups):
            labels[bases] = g
        labels_by_k[k] = labels
        state.groups[k] = [{p for b in bases for p in base[b]} for bases in groups]
        distinct = len(set(labels.tolist()))
        scores[k] = (
            float(silhouette_samples(centres, labels).mean())
            if 2 <= distinct < len(centres)
            else -1.0
        )
    if not scores:
        return {}
    this_k = max(scores, key=lambda k: (scores[k], -k))
    state.last_k_count = state.last_k_count + 1 if this_k == state.last_k else 1
    state.last_k = this_k
    if state.last_k_count >= K_BUFFER or state.smoothed_k is None:
        state.smoothed_k = this_k
    shown = labels_by_k.get(state.smoothed_k, labels_by_k[this_k])
    return {p: int(shown[b]) for b, m in enumerate(base) for p in m}


def replay(folder: Path, every: int, min_votes: int = 7) -> dict[str, Any]:
    with (folder / "votes.csv").open(newline="", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["timestamp"]))
    hidden = moderated_out(folder)
    state, last, order, seen = _State(), {}, [], set()
    started = time.perf_counter()
    ours: dict[int, int] = {}
    for i, r in enumerate(rows, start=1):
        p = int(r["voter-id"])
        last[(p, int(r["comment-id"]))] = int(float(r["vote"]))
        if p not in seen:
            seen.add(p)
            order.append(p)
        if i % every == 0 or i == len(rows):
            ours = _update(state, last, order, hidden, min_votes)
    theirs = polis_groups(folder)
    both = sorted(p for p in theirs if p in ours)
    per_k = {}
    for k, groups in sorted(state.groups.items()):
        at_k = {p: g for g, members in enumerate(groups) for p in members}
        on = [p for p in theirs if p in at_k]
        per_k[str(k)] = round(
            float(adjusted_rand_score([theirs[p] for p in on], [at_k[p] for p in on])), 3
        )
    return {
        "conversation": folder.name,
        "polis_groups": len(set(theirs.values())),
        "our_groups": len(set(ours.values())),
        "compared": len(both),
        "ari": round(
            float(adjusted_rand_score([theirs[p] for p in both], [ours[p] for p in both])), 3
        ),
        "ari_by_k": per_k,
        "updates": (len(rows) + every - 1) // every,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=100, help="votes between two updates")
    parser.add_argument("--min-votes", type=int, default=7, help="Pol.is's in-conv minimum")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    with threadpool_limits(limits=1):
        for folder in conversations(polis_dir()):
            rows.append(replay(folder, args.every, args.min_votes))
            r = rows[-1]
            print(
                f"{r['conversation']}: k {r['our_groups']} (Pol.is {r['polis_groups']}), "
                f"ARI {r['ari']:.3f}, ARI by k {r['ari_by_k']}, {r['seconds']} s",
                flush=True,
            )
    mean = round(sum(r["ari"] for r in rows) / len(rows), 4)
    print(f"mean ARI {mean:.3f}")
    if not args.no_write:
        summary = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"load {os.getloadavg()[0]:.1f}",
            "command": ".venv/bin/python -m bench.voting_replay "
            f"--every {args.every} --min-votes {args.min_votes}",
            "mean_ari": mean,
            "conversations": rows,
        }
        RESULTS_JSON.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
