"""The opinion-group analyser the chat and the reports use: one child process per analysis.

``dialogs`` and ``surveys`` only know the ``surveys.voting.VotingAnalyser`` port; this is
where the real one is chosen. ``nlp.opinion_groups`` imports scikit-learn and SciPy (about
100 MB of resident memory, which Python never gives back), and a bot that serves citizens must
stay small and never load them (issue 10's memory target; ``tests/e2e/test_bot_memory.py``
checks the running bot from the outside). So, as theme jobs do (``bot.themes_process``), each
analysis runs in a fresh ``python -m bot.voting_job``: the votes go to its stdin as JSON, the
analysis comes back on its stdout as JSON, and the child's memory goes back to the system when
it exits. A child that fails, is killed or runs past ``timeout`` raises
:class:`surveys.voting.VotingAnalysisFailed`; ``/consensus`` and the report then say, politely
and in the reader's language, that the analysis could not be run this time.

``analyse`` blocks: ``surveys.usecases.voting.voting_report`` calls it in a worker thread, so
the event loop serving the chat never waits for the child. This module must stay light: it is
imported by ``bot.app``.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.child_pipe import json_object
from surveys.voting import (
    OpinionGroup,
    ParticipantPoint,
    Representative,
    StatementTally,
    Vote,
    VoteValue,
    VotingAnalyser,
    VotingAnalysis,
    VotingAnalysisFailed,
)

log = logging.getLogger(__name__)

STDERR_TAIL = 20  # lines of the child's log kept for the failure message


# --- what goes through the pipes --------------------------------------------------------------


def encode_votes(votes: Sequence[Vote]) -> bytes:
    """The votes as the child reads them on stdin: three columns of integers."""
    return json.dumps(
        {
            "participants": [v.participant for v in votes],
            "statements": [v.statement for v in votes],
            "values": [int(v.value) for v in votes],
        },
        separators=(",", ":"),
    ).encode()


def decode_votes(raw: bytes) -> list[Vote]:
    data = json.loads(raw)
    columns = data["participants"], data["statements"], data["values"]
    return [Vote(int(p), int(s), VoteValue(int(v))) for p, s, v in zip(*columns, strict=True)]


def analysis_to_json(analysis: VotingAnalysis) -> dict[str, Any]:
    return {
        "groups": [
            {
                "id": g.id,
                "members": [int(m) for m in g.members],
                "representatives": [
                    [
                        int(r.statement),
                        r.direction,
                        float(r.share_in_group),
                        float(r.share_outside),
                        float(r.z),
                    ]
                    for r in g.representatives
                ],
            }
            for g in analysis.groups
        ],
        "points": [
            [int(p.participant), float(p.x), float(p.y), int(p.group)] for p in analysis.points
        ],
        "tallies": [
            [
                int(t.statement),
                int(t.agrees),
                int(t.disagrees),
                int(t.passes),
                float(t.consensus),
                [float(share) for share in t.group_agree],
            ]
            for t in analysis.tallies.values()
        ],
        "consensus": [int(s) for s in analysis.consensus],
        "majority": [int(s) for s in analysis.majority],
        "divisive": [int(s) for s in analysis.divisive],
        "participants_voting": int(analysis.participants_voting),
        "participants_grouped": int(analysis.participants_grouped),
        "min_votes": int(analysis.min_votes),
    }


def _direction(value: object) -> Literal["agree", "disagree"]:
    if value == "agree":
        return "agree"
    if value == "disagree":
        return "disagree"
    raise ValueError(f"not a direction: {value!r}")


def analysis_from_json(data: dict[str, Any]) -> VotingAnalysis:
    """The analysis the child printed (raises ``KeyError``/``ValueError``/``TypeError`` when
    it is not one)."""
    tallies = [
        StatementTally(int(s), int(a), int(d), int(p), float(c), tuple(float(x) for x in shares))
        for s, a, d, p, c, shares in data["tallies"]
    ]
    return VotingAnalysis(
        groups=[
            OpinionGroup(
                int(g["id"]),
                tuple(int(m) for m in g["members"]),
                tuple(
                    Representative(int(s), _direction(d), float(i), float(o), float(z))
                    for s, d, i, o, z in g["representatives"]
                ),
            )
            for g in data["groups"]
        ],
        points=[
            ParticipantPoint(int(p), float(x), float(y), int(g)) for p, x, y, g in data["points"]
        ],
        tallies={t.statement: t for t in tallies},
        consensus=[int(s) for s in data["consensus"]],
        majority=[int(s) for s in data["majority"]],
        divisive=[int(s) for s in data["divisive"]],
        participants_voting=int(data["participants_voting"]),
        participants_grouped=int(data["participants_grouped"]),
        min_votes=int(data["min_votes"]),
    )


# --- the analyser ------------------------------------------------------------------------------


@dataclass
class AnalysisRun:
    """What one child process did (logs, benchmarks)."""

    pid: int
    votes: int
    seconds: float
    peak_rss_kb: int | None = None  # the child's own VmHWM, as it reported it


@dataclass
class ProcessOpinionGroupAnalyser:
    """``nlp.opinion_groups.OpinionGroupAnalyser`` in a fresh ``python -m bot.voting_job``."""

    python: str = sys.executable
    timeout: float = 300.0  # the largest consultation measured took 3 s: longer is stuck
    concurrency: int = 2  # children at once; more analyses wait their turn
    last: AnalysisRun | None = None
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.concurrency)

    def command(self) -> list[str]:
        return [self.python, "-m", "bot.voting_job"]

    def analyse(self, votes: Sequence[Vote]) -> VotingAnalysis:
        payload = encode_votes(votes)
        with self._slots:
            started = time.monotonic()
            try:
                done = subprocess.run(
                    self.command(),
                    input=payload,
                    capture_output=True,
                    timeout=self.timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:  # run() killed and reaped the child
                log.error("voting analysis of %d votes ran over %s s", len(votes), self.timeout)
                raise VotingAnalysisFailed(f"ran over {self.timeout} s") from None
            except OSError as exc:
                log.error("voting analysis could not start: %s", exc)
                raise VotingAnalysisFailed(f"could not start: {exc}") from exc
            seconds = round(time.monotonic() - started, 2)
        tail = done.stderr.decode(errors="replace").splitlines()[-STDERR_TAIL:]
        if done.returncode != 0:
            code = done.returncode
            how = f"killed by signal {-code}" if code < 0 else f"exit {code}"
            log.error("voting analysis failed (%s):\n%s", how, "\n".join(tail))
            raise VotingAnalysisFailed(how)
        analysis: VotingAnalysis | None = None
        run = AnalysisRun(0, len(votes), seconds)
        for raw in done.stdout.splitlines():
            line = json_object(raw)
            if line is None:
                continue
            try:
                if "analysis" in line:
                    analysis = analysis_from_json(line["analysis"])
                elif "peak_rss_kb" in line:
                    run.pid, run.peak_rss_kb = int(line["pid"]), int(line["peak_rss_kb"])
            except (KeyError, ValueError, TypeError) as exc:
                log.error("voting analysis answered something else: %r", exc)
                raise VotingAnalysisFailed("unreadable answer") from exc
        if analysis is None:
            log.error("voting analysis printed no analysis:\n%s", "\n".join(tail))
            raise VotingAnalysisFailed("no analysis")
        self.last = run
        peak = f"{run.peak_rss_kb / 1024:.0f} MB" if run.peak_rss_kb else "unknown"
        log.info(
            "voting analysis %d of %d votes finished in %.1f s, peak RSS %s",
            run.pid,
            run.votes,
            run.seconds,
            peak,
        )
        return analysis


def voting_analyser() -> VotingAnalyser:
    """The analyser of the bot, ``/report`` and ``ascolto report``: nothing is imported here."""
    return ProcessOpinionGroupAnalyser()
