"""What the domain and an opinion-group analyser exchange: votes in, groups and consensus out.

Pure data, the contract between the voting dialogs and use cases (which store votes) and
the analysis in ``nlp/`` (which finds opinion groups as Pol.is does). Participants and
statements are plain integers: database ids in the product, Pol.is ids in the validation
benchmark, so the same analyser runs on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal, Protocol


class VoteValue(IntEnum):
    """Pol.is's coding: agree 1, disagree −1, pass 0."""

    AGREE = 1
    DISAGREE = -1
    PASS = 0


@dataclass(frozen=True)
class Vote:
    participant: int
    statement: int
    value: VoteValue


@dataclass(frozen=True)
class StatementTally:
    """Counts over everyone who voted on one statement, and its group-informed consensus."""

    statement: int
    agrees: int
    disagrees: int
    passes: int
    # Product over opinion groups of (agrees + 1) / (votes + 2); 0 when there are no groups.
    consensus: float = 0.0
    # Each opinion group's (agrees + 1) / (votes + 2), in group order (empty without groups):
    # what makes a statement divisive, shown in the report's divisive table.
    group_agree: tuple[float, ...] = ()

    @property
    def votes(self) -> int:
        return self.agrees + self.disagrees + self.passes

    @property
    def agree_share(self) -> float:
        return self.agrees / self.votes if self.votes else 0.0


@dataclass(frozen=True)
class Representative:
    """A statement that sets a group apart (Pol.is "repness")."""

    statement: int
    direction: Literal["agree", "disagree"]
    share_in_group: float  # Laplace-smoothed (n + 1) / (votes + 2) in the direction given
    share_outside: float
    z: float  # two-proportion z-test, group vs everyone else


@dataclass(frozen=True)
class OpinionGroup:
    id: int  # 0-based, ordered by size (largest first)
    members: tuple[int, ...]
    representatives: tuple[Representative, ...] = ()


@dataclass(frozen=True)
class ParticipantPoint:
    """A participant's place on the 2-D opinion map (first two principal components)."""

    participant: int
    x: float
    y: float
    group: int


@dataclass
class VotingAnalysis:
    """Everything a report or ``/consensus`` shows about one consultation's votes."""

    groups: list[OpinionGroup] = field(default_factory=list)
    points: list[ParticipantPoint] = field(default_factory=list)
    tallies: dict[int, StatementTally] = field(default_factory=dict)
    consensus: list[int] = field(default_factory=list)  # statements, highest consensus first
    majority: list[int] = field(default_factory=list)  # ≥ 60 % agree overall
    divisive: list[int] = field(default_factory=list)  # most divisive first
    participants_voting: int = 0
    participants_grouped: int = 0  # those with at least the minimum number of votes
    min_votes: int = 7


class VotingAnalysisFailed(RuntimeError):
    """An analyser could not produce an analysis (its process crashed, was killed or ran too
    long). ``voting_report`` turns it into a report marked ``failed``: staff are told politely
    and the rest of a report is still made."""


class VotingAnalyser(Protocol):
    def analyse(self, votes: Sequence[Vote]) -> VotingAnalysis:
        """The analysis of ``votes``; raises :class:`VotingAnalysisFailed` when it cannot run."""
        ...


@dataclass
class VotingReport:
    """The voting section of a consultation's report: the analysis and the words it refers to.

    Filled by the reports use case from the statements and votes tables; rendered by
    ``reports/`` (HTML section, 2-D map) and by ``/consensus`` in chat.
    """

    analysis: VotingAnalysis
    statement_texts: dict[int, str] = field(default_factory=dict)
    # The analyser failed (``VotingAnalysisFailed``): ``analysis`` holds only the number of
    # voters, and ``/consensus`` and the report say the analysis could not be run this time.
    failed: bool = False
