"""The stdout protocol of the bot's job children (``bot.themes_job``, ``bot.voting_job``).

A child writes one JSON object per line (``emit``) and ends with its peak memory
(``peak_rss_kb``); the parent reads each line with ``json_object``, which skips what is not
ours: a library that prints to stdout must not break the job.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
from typing import Any

_write = threading.Lock()  # a child may emit from a worker thread and from its event loop


def emit(payload: dict[str, Any]) -> None:
    """One line on stdout, flushed at once, never interleaved with another emit."""
    line = json.dumps(payload, default=str, separators=(",", ":"))
    with _write:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def peak_rss_kb() -> int:
    # ru_maxrss is in KiB on Linux (the only platform the bot is deployed on).
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def json_object(raw: bytes | str) -> dict[str, Any] | None:
    """The JSON object on this line, or None when the line is not one of ours."""
    try:
        line = json.loads(raw)
    except ValueError:
        return None
    return line if isinstance(line, dict) else None
