"""Opinion groups from Agree / Disagree / Pass votes, the way Pol.is finds them.

``OpinionGroupAnalyser().analyse(votes)`` implements ``surveys.voting.VotingAnalyser``.
The steps follow Pol.is's math (compdemocracy/polis, ``math/src/polismath/math/``), learnt
from its Clojure code rather than copied, and validated against Pol.is's own groups in
``bench/voting.py`` (adjusted Rand index per conversation, see bench/RESULTS.md):

1. Vote matrix, participants × statements: agree 1, disagree −1, pass 0, not seen missing.
   A later vote on the same statement replaces an earlier one. Statements moderated out
   after people voted (``hidden_statements``) become 0 for everyone in the map, as Pol.is's
   ``zero-out-columns`` does: their votes still count towards ``min_votes`` and towards the
   projection's scaling, but carry no opinion. On the Pol.is conversations this took the
   ARI on 15-per-hour-seattle from 0.29 to 0.86 (the scaling changes a lot when a third of
   the statements were moderated out). The product never shows rejected statements, so
   there it changes nothing.
2. PCA to 2 components on the matrix with every missing cell replaced by its statement's
   mean vote (Pol.is does the same: a missing vote must not pull a participant towards
   "pass"). All voters take part in the PCA, as in Pol.is.
3. Sparsity-aware projection: only the votes a participant cast are projected, and the
   point is scaled by sqrt(statements / votes cast), so someone who voted on a few
   statements is not squashed towards the centre of the map.
4. Only participants with at least ``min_votes`` votes (or all statements, when there are
   fewer) are grouped. They are first summarised into up to ``base_clusters`` (100) small
   k-means "base clusters" (k-means++, 10 seeded starts), as Pol.is does; the opinion
   groups are a k-means over the base-cluster centres weighted by their sizes, for k from 2 to
   min(``max_groups``, 2 + base clusters / 12), and the k with the best silhouette (over
   the base-cluster centres) wins. Without the base clusters, brexit-consensus gets
   three groups where Pol.is has two (ARI 0.86 → 0.64, bench/RESULTS.md).
5. Per group, representative statements (Pol.is "repness"): Laplace-smoothed share
   (n + 1) / (votes + 2) agreeing (or disagreeing) inside the group against the rest of
   the grouped participants, with a two-proportion z-test; a statement represents a group
   when both the group's own share and the difference are significant at 90 % (z > 1.2816);
   when none passes, the single best one is kept so every group has at least one.
6. Group-informed consensus per statement: product over groups of (agrees + 1)/(votes + 2)
   (Pol.is's "group-aware consensus"); majority statements: at least 60 % of everyone's
   votes agree; divisive statements: the largest gap between the groups' smoothed agree
   shares.

One analysis of the current votes, not Pol.is's chain of incremental updates: replaying
that chain from the vote timestamps (``bench/voting_replay.py``) did not bring the groups
closer to Pol.is's on the conversations where they differ, and its result depends on how
often the updates run (bench/RESULTS.md, "## Voting").

Everything is deterministic: exact PCA by SVD with a fixed sign, k-means with fixed seeds,
participants and statements in id order. It runs on one thread (see ``analyse``): 4,000
voters × 90 statements take about 2 s on the shared 2-core machine.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits  # installed with scikit-learn, which needs it

from surveys.voting import (
    OpinionGroup,
    ParticipantPoint,
    Representative,
    StatementTally,
    Vote,
    VoteValue,
    VotingAnalysis,
)

SEED = 20_260_527
Z_90 = 1.2816  # one-sided 90 % significance, Pol.is's threshold for representative statements


@dataclass(frozen=True)
class _Matrix:
    """The vote matrix with its row (participant) and column (statement) ids."""

    participants: list[int]
    statements: list[int]
    values: np.ndarray  # float, NaN where the participant did not see/vote the statement


class OpinionGroupAnalyser:
    """Pol.is-style opinion groups, representative statements and consensus (see module doc)."""

    def __init__(
        self,
        *,
        min_votes: int = 7,
        max_groups: int = 5,
        base_clusters: int = 100,
        majority_share: float = 0.6,
        divisive_gap: float = 0.3,
        min_statement_votes: int = 3,
        max_representatives: int = 5,
        hidden_statements: Collection[int] = (),
    ) -> None:
        self.min_votes = min_votes
        self.max_groups = max_groups
        self.base_clusters = base_clusters
        self.majority_share = majority_share
        self.divisive_gap = divisive_gap
        self.min_statement_votes = min_statement_votes
        self.max_representatives = max_representatives
        # Statements moderated out after people voted on them: the votes still count towards
        # ``min_votes`` but carry no opinion (Pol.is sets their column to 0 for everyone), and
        # the statements are left out of tallies, consensus and representatives.
        self.hidden_statements = frozenset(hidden_statements)

    # --- the whole analysis --------------------------------------------------------------

    def analyse(self, votes: Sequence[Vote]) -> VotingAnalysis:
        # One BLAS/OpenMP thread: the matrices are small, and on a busy 2-core machine
        # thread hand-offs made the analysis ten times slower (6.5 s → 0.5 s, 400 voters).
        with threadpool_limits(limits=1):
            return self._analyse(votes)

    def _analyse(self, votes: Sequence[Vote]) -> VotingAnalysis:
        analysis = VotingAnalysis(min_votes=self.min_votes)
        matrix = _vote_matrix(votes)
        if not matrix.participants:
            return analysis
        analysis.participants_voting = len(matrix.participants)
        seen = ~np.isnan(matrix.values)
        counts = seen.sum(axis=1)
        needed = min(self.min_votes, len(matrix.statements))
        grouped_rows = np.flatnonzero(counts >= needed)
        analysis.participants_grouped = len(grouped_rows)

        hidden = [j for j, s in enumerate(matrix.statements) if s in self.hidden_statements]
        map_values = matrix.values.copy()
        map_values[:, hidden] = 0.0
        points = _project(map_values)
        if hidden:  # from here on, the hidden statements do not exist
            kept = [j for j in range(len(matrix.statements)) if j not in set(hidden)]
            matrix = _Matrix(
                matrix.participants,
                [matrix.statements[j] for j in kept],
                matrix.values[:, kept],
            )
        labels = self._group(points[grouped_rows])
        groups_rows: list[np.ndarray] = []
        if labels is not None:
            # Groups ordered by size, largest first; ties by their smallest participant id.
            order = sorted(
                set(labels.tolist()),
                key=lambda g: (-int(np.sum(labels == g)), int(grouped_rows[labels == g][0])),
            )
            groups_rows = [grouped_rows[labels == g] for g in order]
            analysis.points = [
                ParticipantPoint(
                    participant=matrix.participants[row],
                    x=float(points[row, 0]),
                    y=float(points[row, 1]),
                    group=gid,
                )
                for gid, rows in enumerate(groups_rows)
                for row in rows
            ]
            analysis.points.sort(key=lambda p: p.participant)

        analysis.groups = [
            OpinionGroup(
                id=gid,
                members=tuple(matrix.participants[r] for r in rows),
                representatives=self._representatives(matrix, rows, groups_rows),
            )
            for gid, rows in enumerate(groups_rows)
        ]
        analysis.tallies = _tallies(matrix, groups_rows)
        self._rank_statements(analysis, matrix, groups_rows)
        return analysis

    # --- grouping -------------------------------------------------------------------------

    def _group(self, points: np.ndarray) -> np.ndarray | None:
        """Group labels for the given 2-D points, or None when there is nothing to split."""
        distinct = np.unique(np.round(points, 9), axis=0)
        if len(points) < 4 or len(distinct) < 2:
            return None
        # Base clusters: many small k-means clusters summarising the crowd (Pol.is base-k 100).
        n_base = min(self.base_clusters, len(distinct))
        base = KMeans(n_clusters=n_base, n_init=10, random_state=SEED)
        base_labels = base.fit_predict(points)
        used = np.unique(base_labels)
        centres = base.cluster_centers_[used]
        weights = np.array([np.sum(base_labels == b) for b in used], dtype=float)
        remap = {int(b): i for i, b in enumerate(used)}
        base_of_point = np.array([remap[int(b)] for b in base_labels])
        if len(centres) == 2:  # two kinds of voter exactly: two groups, nothing to choose
            return base_of_point

        max_k = min(self.max_groups, 2 + len(centres) // 12, len(centres) - 1)
        best: tuple[float, np.ndarray] | None = None
        for k in range(2, max_k + 1):
            km = KMeans(n_clusters=k, n_init=10, random_state=SEED)
            centre_labels = km.fit_predict(centres, sample_weight=weights)
            if len(set(centre_labels.tolist())) < 2:
                continue
            score = float(silhouette_score(centres, centre_labels))
            if best is None or score > best[0] + 1e-12:
                best = (score, centre_labels)
        if best is None:
            return None
        labels: np.ndarray = best[1][base_of_point]
        return labels

    # --- statements -----------------------------------------------------------------------

    def _representatives(
        self, matrix: _Matrix, rows: np.ndarray, groups_rows: list[np.ndarray]
    ) -> tuple[Representative, ...]:
        """Pol.is repness for one group against the other grouped participants."""
        values = matrix.values
        others = np.concatenate([r for r in groups_rows if r is not rows]) if groups_rows else rows
        inside, outside = values[rows], values[others]
        candidates: list[tuple[float, Representative]] = []
        best: tuple[float, Representative] | None = None
        for col in range(values.shape[1]):
            n_in = int(np.sum(~np.isnan(inside[:, col])))
            if n_in == 0:
                continue
            n_out = int(np.sum(~np.isnan(outside[:, col])))
            for direction, code in (("agree", 1.0), ("disagree", -1.0)):
                s_in = int(np.sum(inside[:, col] == code))
                s_out = int(np.sum(outside[:, col] == code))
                share_in = (s_in + 1) / (n_in + 2)
                share_out = (s_out + 1) / (n_out + 2)
                z_own = _prop_test(s_in, n_in)
                z = _two_prop_test(s_in, s_out, n_in, n_out)
                rep = Representative(
                    statement=matrix.statements[col],
                    direction="agree" if direction == "agree" else "disagree",
                    share_in_group=share_in,
                    share_outside=share_out,
                    z=z,
                )
                # Pol.is ranks by ratio × z-test of difference × share × z-test of share.
                metric = (share_in / share_out) * z * share_in * z_own
                if z > Z_90 and z_own > Z_90:
                    candidates.append((metric, rep))
                if s_in and (best is None or z > best[1].z):
                    best = (metric, rep)
        if not candidates and best is not None:
            candidates = [best]
        candidates.sort(key=lambda c: (-c[0], c[1].statement, c[1].direction))
        # A statement appears once, in its stronger direction.
        chosen: list[Representative] = []
        for _, rep in candidates:
            if all(c.statement != rep.statement for c in chosen):
                chosen.append(rep)
        # Agrees before disagrees, as Pol.is shows them.
        chosen = chosen[: self.max_representatives]
        chosen.sort(key=lambda r: r.direction != "agree")
        return tuple(chosen)

    def _rank_statements(
        self, analysis: VotingAnalysis, matrix: _Matrix, groups_rows: list[np.ndarray]
    ) -> None:
        tallies = analysis.tallies
        enough = [s for s, t in tallies.items() if t.votes >= self.min_statement_votes]
        if groups_rows:
            analysis.consensus = sorted(
                (s for s in tallies if tallies[s].votes),
                key=lambda s: (-tallies[s].consensus, s),
            )
        analysis.majority = sorted(
            (s for s in enough if tallies[s].agree_share >= self.majority_share),
            key=lambda s: (-tallies[s].agree_share, -tallies[s].votes, s),
        )
        if len(groups_rows) >= 2:
            gaps = _group_gaps(matrix, groups_rows)
            analysis.divisive = sorted(
                (s for s in enough if gaps.get(s, 0.0) >= self.divisive_gap),
                key=lambda s: (-gaps[s], s),
            )


# --- pure helpers ---------------------------------------------------------------------------


def _vote_matrix(votes: Sequence[Vote]) -> _Matrix:
    last: dict[tuple[int, int], VoteValue] = {}
    for vote in votes:  # a later vote replaces an earlier one
        last[(vote.participant, vote.statement)] = vote.value
    participants = sorted({p for p, _ in last})
    statements = sorted({s for _, s in last})
    row = {p: i for i, p in enumerate(participants)}
    col = {s: j for j, s in enumerate(statements)}
    values = np.full((len(participants), len(statements)), np.nan)
    for (p, s), value in last.items():
        values[row[p], col[s]] = float(int(value))
    return _Matrix(participants, statements, values)


def _project(values: np.ndarray) -> np.ndarray:
    """Each participant's 2-D point: PCA on the mean-imputed matrix, sparsity-aware projection."""
    n_rows, n_cols = values.shape
    seen = ~np.isnan(values)
    # Each statement's mean vote over those who cast one (0 for a statement nobody voted on).
    centre = np.where(seen, values, 0.0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
    imputed = np.where(seen, values, centre)
    centred = imputed - imputed.mean(axis=0)
    components = np.zeros((2, n_cols))
    if n_rows >= 2 and n_cols >= 1:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        found = vt[:2]
        for i, comp in enumerate(found):
            # Fix the sign (SVD's is arbitrary) so the map never flips between runs.
            if comp[int(np.argmax(np.abs(comp)))] < 0:
                comp = -comp
            components[i] = comp
    deviations = np.where(seen, values - centre, 0.0)
    raw = deviations @ components.T
    scale = np.sqrt(n_cols / np.maximum(seen.sum(axis=1), 1))
    projected: np.ndarray = raw * scale[:, None]
    return projected


def _tallies(matrix: _Matrix, groups_rows: list[np.ndarray]) -> dict[int, StatementTally]:
    values = matrix.values
    tallies: dict[int, StatementTally] = {}
    for col, statement in enumerate(matrix.statements):
        column = values[:, col]
        shares = []
        for rows in groups_rows:
            group_col = column[rows]
            n = int(np.sum(~np.isnan(group_col)))
            shares.append((int(np.sum(group_col == 1.0)) + 1) / (n + 2))
        tallies[statement] = StatementTally(
            statement=statement,
            agrees=int(np.sum(column == 1.0)),
            disagrees=int(np.sum(column == -1.0)),
            passes=int(np.sum(column == 0.0)),
            consensus=math.prod(shares) if shares else 0.0,
            group_agree=tuple(shares),
        )
    return tallies


def _group_gaps(matrix: _Matrix, groups_rows: list[np.ndarray]) -> dict[int, float]:
    """Largest minus smallest smoothed agree share over the groups, per statement."""
    gaps: dict[int, float] = {}
    for col, statement in enumerate(matrix.statements):
        shares = []
        for rows in groups_rows:
            group_col = matrix.values[rows, col]
            n = int(np.sum(~np.isnan(group_col)))
            if n:
                shares.append((int(np.sum(group_col == 1.0)) + 1) / (n + 2))
        if len(shares) >= 2:
            gaps[statement] = max(shares) - min(shares)
    return gaps


def _prop_test(successes: int, trials: int) -> float:
    """Pol.is's one-proportion z-test of a share against 1/2 (with +1 smoothing)."""
    s, n = successes + 1, trials + 1
    return 2.0 * math.sqrt(n) * (s / n - 0.5)


def _two_prop_test(s_in: int, s_out: int, n_in: int, n_out: int) -> float:
    """Two-proportion z-test, group against the rest (with +1 smoothing as in Pol.is)."""
    s1, s2, n1, n2 = s_in + 1, s_out + 1, n_in + 1, n_out + 1
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    if pooled >= 1.0 or pooled <= 0.0:
        return 0.0
    return (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
