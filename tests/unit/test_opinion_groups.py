"""Opinion groups as Pol.is finds them: camps recovered, consensus / majority / divisive, filters.

Synthetic electorates are built so the right answer is known: each camp agrees with its own
block of statements and disagrees with the others', everyone agrees with a few shared ones,
and each participant skips some statements at random. One test runs on a real Pol.is
conversation from ``../shared/data/polis`` and compares with Pol.is's own groups.
"""

from __future__ import annotations

import csv
import os
import random
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from nlp.opinion_groups import OpinionGroupAnalyser
from surveys.voting import Vote, VoteValue, VotingAnalysis

AGREE, DISAGREE, PASS = VoteValue.AGREE, VoteValue.DISAGREE, VoteValue.PASS
SHARED = Path(
    os.environ.get("ASCOLTO_SHARED_DATA")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
)


def electorate(
    camps: int, per_camp: int, block: int = 6, shared: int = 3, skip: float = 0.15, seed: int = 7
) -> tuple[list[Vote], dict[int, int], list[int]]:
    """Votes, each participant's camp, and the shared (everyone agrees) statements.

    Camp c agrees with statements [c·block, (c+1)·block) and disagrees with every other camp's
    block; statements from camps·block on are shared. Each vote is skipped with ``skip``.
    """
    rng = random.Random(seed)
    n_divisive = camps * block
    shared_ids = list(range(n_divisive, n_divisive + shared))
    votes: list[Vote] = []
    camp_of: dict[int, int] = {}
    for camp in range(camps):
        for i in range(per_camp):
            participant = 1000 + camp * per_camp + i
            camp_of[participant] = camp
            for statement in range(n_divisive + shared):
                if rng.random() < skip:
                    continue
                own = statement in shared_ids or statement // block == camp
                votes.append(Vote(participant, statement, AGREE if own else DISAGREE))
    return votes, camp_of, shared_ids


def labels(analysis: VotingAnalysis) -> dict[int, int]:
    return {p: group.id for group in analysis.groups for p in group.members}


def ari(analysis: VotingAnalysis, truth: dict[int, int]) -> float:
    found = labels(analysis)
    people = sorted(truth)
    return float(adjusted_rand_score([truth[p] for p in people], [found[p] for p in people]))


def test_two_camps_are_recovered_exactly() -> None:
    votes, camp_of, _ = electorate(camps=2, per_camp=30)
    analysis = OpinionGroupAnalyser().analyse(votes)
    assert len(analysis.groups) == 2
    assert ari(analysis, camp_of) == 1.0
    assert analysis.participants_voting == analysis.participants_grouped == 60
    # Every grouped participant is on the map, with its group.
    assert {(p.participant, p.group) for p in analysis.points} == set(labels(analysis).items())


def test_three_camps_are_recovered_exactly() -> None:
    votes, camp_of, _ = electorate(camps=3, per_camp=25, seed=11)
    analysis = OpinionGroupAnalyser().analyse(votes)
    assert len(analysis.groups) == 3
    assert ari(analysis, camp_of) == 1.0
    # Ordered by size, largest first; ids are 0-based positions.
    assert [g.id for g in analysis.groups] == [0, 1, 2]
    sizes = [len(g.members) for g in analysis.groups]
    assert sizes == sorted(sizes, reverse=True)


def test_representatives_are_the_camp_s_own_block() -> None:
    votes, camp_of, _ = electorate(camps=3, per_camp=25, block=6, seed=11)
    analysis = OpinionGroupAnalyser().analyse(votes)
    for group in analysis.groups:
        camp = camp_of[group.members[0]]
        assert group.representatives, f"group {group.id} has no representative statement"
        for rep in group.representatives:
            # A camp is set apart by agreeing with its own block (nobody else does).
            assert rep.direction == "agree"
            assert rep.statement // 6 == camp
            assert rep.share_in_group > rep.share_outside
            assert rep.z > 1.2816


def test_consensus_majority_and_divisive_on_hand_built_votes() -> None:
    votes, _, shared_ids = electorate(camps=2, per_camp=30, skip=0.0)
    analysis = OpinionGroupAnalyser().analyse(votes)
    # Both camps agree with the shared statements: they lead the consensus ranking.
    assert set(analysis.consensus[: len(shared_ids)]) == set(shared_ids)
    # Group-informed consensus by hand: 30 of 30 agree in each group → (31/32)².
    assert analysis.tallies[shared_ids[0]].consensus == pytest.approx((31 / 32) ** 2)
    # A camp statement: one group 30/30 agree, the other 0/30 → (31/32)·(1/32).
    assert analysis.tallies[0].consensus == pytest.approx((31 / 32) * (1 / 32))
    # Majority: only the shared statements reach 60 % agree (the others are at 50 %).
    assert set(analysis.majority) == set(shared_ids)
    # Divisive: every camp statement, none of the shared ones.
    assert set(analysis.divisive) == set(range(12))
    tally = analysis.tallies[0]
    assert (tally.agrees, tally.disagrees, tally.passes) == (30, 30, 0)


def test_majority_counts_passes_in_the_denominator() -> None:
    # 10 participants, 12 statements; statement 0: 6 agree, 4 pass → 60 % agree: majority.
    # Statement 1: 5 agree, 5 pass → 50 %: not majority.
    votes = []
    for p in range(10):
        votes.append(Vote(p, 0, AGREE if p < 6 else PASS))
        votes.append(Vote(p, 1, AGREE if p < 5 else PASS))
        for s in range(2, 12):
            votes.append(Vote(p, s, AGREE if (p + s) % 2 else DISAGREE))
    analysis = OpinionGroupAnalyser().analyse(votes)
    assert 0 in analysis.majority
    assert 1 not in analysis.majority


def test_participants_below_the_minimum_are_not_grouped() -> None:
    votes, _, _ = electorate(camps=2, per_camp=20, skip=0.0)
    # Three latecomers with six votes each, one with exactly seven.
    for p, n in ((1, 6), (2, 6), (3, 6), (4, 7)):
        votes.extend(Vote(p, s, AGREE) for s in range(n))
    analysis = OpinionGroupAnalyser().analyse(votes)
    grouped = set(labels(analysis))
    assert {1, 2, 3}.isdisjoint(grouped)
    assert 4 in grouped
    assert analysis.participants_voting == 44
    assert analysis.participants_grouped == 41
    assert {p.participant for p in analysis.points} == grouped
    # Their votes still count in the tallies.
    assert analysis.tallies[0].votes == 44
    # The minimum is configurable.
    assert 1 in labels(OpinionGroupAnalyser(min_votes=6).analyse(votes))


def test_analysis_is_deterministic_and_ignores_vote_order() -> None:
    votes, _, _ = electorate(camps=3, per_camp=20, seed=3)
    first = OpinionGroupAnalyser().analyse(votes)
    shuffled = list(votes)
    random.Random(5).shuffle(shuffled)
    second = OpinionGroupAnalyser().analyse(shuffled)
    assert first == second


def test_a_later_vote_replaces_an_earlier_one() -> None:
    votes, _, _ = electorate(camps=2, per_camp=15, skip=0.0)
    changed = [*votes, Vote(1000, 0, DISAGREE)]  # participant 1000 agreed with statement 0
    before = OpinionGroupAnalyser().analyse(votes).tallies[0]
    after = OpinionGroupAnalyser().analyse(changed).tallies[0]
    assert (after.agrees, after.disagrees) == (before.agrees - 1, before.disagrees + 1)


def test_hidden_statements_count_for_the_minimum_but_are_not_reported() -> None:
    votes, _, _ = electorate(camps=2, per_camp=15, block=4, shared=0, skip=0.0)
    # Six real votes each out of eight statements; one more on statement 99, moderated out.
    votes = [v for v in votes if v.statement not in (3, 7)]
    votes += [Vote(1, 3, AGREE), Vote(1, 7, AGREE)]  # someone else saw statements 3 and 7
    votes.extend(Vote(p, 99, AGREE) for p in range(1000, 1030))
    plain = OpinionGroupAnalyser().analyse(votes)
    hidden = OpinionGroupAnalyser(hidden_statements={99}).analyse(votes)
    assert hidden.participants_grouped == 30
    assert 99 not in hidden.tallies and 99 not in hidden.consensus
    assert 99 in plain.tallies
    assert len(hidden.groups) == 2
    # Without the hidden vote, nobody reaches seven votes.
    only_real = [v for v in votes if v.statement != 99]
    assert OpinionGroupAnalyser().analyse(only_real).participants_grouped == 0


def test_too_few_participants_give_tallies_but_no_groups() -> None:
    votes = [Vote(p, s, AGREE) for p in range(3) for s in range(8)]
    analysis = OpinionGroupAnalyser().analyse(votes)
    assert analysis.groups == [] and analysis.points == [] and analysis.consensus == []
    assert analysis.tallies[0].agrees == 3
    assert analysis.majority == list(range(8))
    assert OpinionGroupAnalyser().analyse([]) == VotingAnalysis()


POLIS = SHARED / "polis" / "brexit-consensus"


@pytest.mark.skipif(not POLIS.is_dir(), reason="../shared/data/polis is absent")
def test_groups_agree_with_polis_on_a_real_conversation() -> None:
    """brexit-consensus: 204 voters, 50 statements, Pol.is found 2 groups (bench: ARI 0.86)."""
    votes: list[Vote] = []
    polis: dict[int, int] = {}
    with (POLIS / "participants-votes.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        first = header.index("n-disagree") + 1
        statements = [int(h) for h in header[first:]]
        for row in reader:
            participant = int(row[0])
            if row[1].strip():
                polis[participant] = int(row[1])
            for statement, cell in zip(statements, row[first:], strict=False):
                if cell.strip():
                    votes.append(Vote(participant, statement, VoteValue(int(cell))))
    analysis = OpinionGroupAnalyser().analyse(votes)
    ours = labels(analysis)
    both = sorted(p for p in polis if p in ours)
    assert len(both) >= 180
    score = adjusted_rand_score([polis[p] for p in both], [ours[p] for p in both])
    assert score >= 0.75
