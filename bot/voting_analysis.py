"""The opinion-group analyser the chat and the reports use (``nlp.opinion_groups``).

``dialogs`` and ``surveys`` only know the ``surveys.voting.VotingAnalyser`` port; this is
where the real one is chosen. Why lazily: ``nlp.opinion_groups`` imports scikit-learn and
SciPy (about 100 MB of resident memory), which a bot that only serves answers must not carry
(issue 10's memory target; tests/e2e/test_bot_memory.py checks it). They are loaded on the
first ``/consensus`` or report with votes, not at start.
"""

from __future__ import annotations

from collections.abc import Sequence

from surveys.voting import Vote, VotingAnalyser, VotingAnalysis


class LazyOpinionGroupAnalyser:
    """``nlp.opinion_groups.OpinionGroupAnalyser``, imported on the first analysis."""

    def __init__(self) -> None:
        self._analyser: VotingAnalyser | None = None

    def analyse(self, votes: Sequence[Vote]) -> VotingAnalysis:
        if self._analyser is None:
            from nlp.opinion_groups import OpinionGroupAnalyser

            self._analyser = OpinionGroupAnalyser()
        return self._analyser.analyse(votes)


def voting_analyser() -> VotingAnalyser:
    return LazyOpinionGroupAnalyser()
