"""One opinion-group analysis in its own process: ``python -m bot.voting_job``.

The serving bot never imports scikit-learn or SciPy (``nlp.opinion_groups``);
``bot.voting_analysis.ProcessOpinionGroupAnalyser`` starts this module for each ``/consensus``
or report with votes and talks to it through pipes:

- stdin: the votes, one JSON object of three integer columns (``participants``,
  ``statements``, ``values``: 1 agree, -1 disagree, 0 pass), read to the end;
- stdout: ``{"analysis": {...}}`` (``bot.voting_analysis.analysis_to_json``), then
  ``{"pid": N, "peak_rss_kb": N}``;
- stderr: the job's log;
- exit status: 0 with an analysis, 1 when the analysis failed (traceback on stderr), 2 when
  stdin held no votes it could read.

The votes come from the bot, which has just read them for the same request: the child needs no
database, and it analyses exactly the votes the bot counted in its reply.
"""

from __future__ import annotations

import logging
import os
import sys

from bot.child_pipe import emit, peak_rss_kb
from bot.logs import setup_logging
from bot.voting_analysis import analysis_to_json, decode_votes

log = logging.getLogger("bot.voting_job")


def main() -> int:
    setup_logging()
    try:
        votes = decode_votes(sys.stdin.buffer.read())
    except (KeyError, ValueError, TypeError):
        log.exception("stdin held no votes")
        return 2
    try:
        # The heavy import lives here, in the job's process only.
        from nlp.opinion_groups import OpinionGroupAnalyser

        analysis = OpinionGroupAnalyser().analyse(votes)
    except Exception:
        log.exception("the analysis of %d votes failed", len(votes))
        return 1
    emit({"analysis": analysis_to_json(analysis)})
    emit({"pid": os.getpid(), "peak_rss_kb": peak_rss_kb()})
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
