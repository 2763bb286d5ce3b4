"""Opinion-group analyses in a child process: ``bot.voting_analysis`` → ``bot.voting_job``.

The real child analyses two camps of voters and gives exactly the analysis that
``nlp.opinion_groups`` gives in this process (the JSON on the pipe loses nothing), and reports
its pid and peak memory. A child that exits with an error, is killed by a signal, runs past the
timeout or prints no analysis ends as ``VotingAnalysisFailed``, which the use case turns into a
report marked ``failed`` with the number of voters. Importing the analyser loads no
scikit-learn (the bot imports it).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bot.voting_analysis import (
    ProcessOpinionGroupAnalyser,
    analysis_from_json,
    analysis_to_json,
    encode_votes,
)
from nlp.opinion_groups import OpinionGroupAnalyser
from surveys.usecases.voting import voting_report
from surveys.voting import Vote, VoteValue, VotingAnalysisFailed

ROOT = Path(__file__).resolve().parents[2]


def _camps(people: int = 60, statements: int = 10, seed: int = 1) -> list[Vote]:
    """Two camps that disagree on every statement; one vote in ten is a pass."""
    rng = random.Random(seed)
    votes = []
    for p in range(1, people + 1):
        for s in range(100, 100 + statements):
            agree = (s % 2 == 0) == (p % 2 == 0)
            value = VoteValue.PASS if rng.random() < 0.1 else VoteValue(1 if agree else -1)
            votes.append(Vote(p, s, value))
    return votes


class _Command(ProcessOpinionGroupAnalyser):
    """The analyser with another child: a real process that misbehaves in a given way."""

    def __init__(self, code: str, timeout: float = 60.0) -> None:
        super().__init__(timeout=timeout)
        self.code = code

    def command(self) -> list[str]:
        return [sys.executable, "-c", self.code]


def test_the_child_gives_the_analysis_of_this_process() -> None:
    votes = _camps()
    analyser = ProcessOpinionGroupAnalyser()
    got = analyser.analyse(votes)
    assert got == OpinionGroupAnalyser().analyse(votes)
    assert [len(g.members) for g in got.groups] == [30, 30]
    assert {frozenset(g.members) for g in got.groups} == {
        frozenset(range(1, 61, 2)),
        frozenset(range(2, 61, 2)),
    }
    run = analyser.last
    assert run is not None and run.votes == len(votes)
    assert run.pid > 0 and run.peak_rss_kb is not None and run.peak_rss_kb > 10_000


def test_the_wire_format_round_trips() -> None:
    analysis = OpinionGroupAnalyser().analyse(_camps(people=20, statements=8, seed=3))
    wire = json.loads(json.dumps(analysis_to_json(analysis)))
    assert analysis_from_json(wire) == analysis


@pytest.mark.parametrize(
    ("code", "timeout"),
    [
        ("import sys; sys.exit(1)", 60.0),  # the analysis raised: exit 1
        ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", 60.0),  # out of memory
        ("import time; time.sleep(30)", 0.5),  # stuck
        ("print('not json'); print('[1]')", 60.0),  # no analysis printed
        ('print(\'{"analysis": {"groups": 3}}\')', 60.0),  # an analysis it cannot read
    ],
)
def test_a_child_that_fails_is_reported_as_failed(code: str, timeout: float) -> None:
    with pytest.raises(VotingAnalysisFailed):
        _Command(code, timeout).analyse(_camps(people=8, statements=7))


async def test_a_failed_analysis_makes_a_report_marked_failed() -> None:
    votes = _camps(people=12, statements=7)
    report = await voting_report(votes, {100: "Più panchine"}, _Command("raise SystemExit(1)"))
    assert report is not None and report.failed
    assert report.analysis.participants_voting == 12 and not report.analysis.groups
    assert report.statement_texts == {100: "Più panchine"}


def test_the_job_refuses_what_is_not_votes() -> None:
    for payload in (b"", b"{}", b'{"participants": [1], "statements": [2], "values": [7]}'):
        done = subprocess.run(
            [sys.executable, "-m", "bot.voting_job"],
            input=payload,
            capture_output=True,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, (payload, done.stderr)
        assert b'"analysis"' not in done.stdout
    good = subprocess.run(
        [sys.executable, "-m", "bot.voting_job"],
        input=encode_votes(_camps(people=10, statements=7)),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert json.loads(good.stdout.splitlines()[0])["analysis"]["participants_voting"] == 10


def test_importing_the_analyser_loads_no_scikit_learn() -> None:
    code = (
        "import json, sys\n"
        "import bot.voting_analysis\n"
        "print(json.dumps(sorted(m for m in ('sklearn', 'scipy', 'nlp.opinion_groups')"
        " if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []
