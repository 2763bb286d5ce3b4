"""Prometheus text exposition (format 0.0.4) of the workers' counters, without a client library.

Input: one snapshot per worker (``Metrics.snapshot()`` plus the outbox sender's counters) and
the deployment-wide gauges read from the database. Every per-worker series carries a
``worker`` label (``"0"`` for a single process), so one scrape of the shared port shows every
worker and ``sum without (worker) (rate(...))`` gives the deployment's rate; a restarted worker
resets only its own series, which ``rate()`` handles as Prometheus users expect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# (snapshot key, metric name, help). All are counters: they only go up within one process.
COUNTERS = (
    ("updates_handled", "ascolto_updates_handled_total", "Updates handled and acknowledged."),
    ("handler_errors", "ascolto_handler_errors_total", "Updates whose handling failed."),
    (
        "duplicates",
        "ascolto_duplicate_updates_total",
        "Updates delivered again and skipped (already in processed_updates).",
    ),
    (
        "busy_retries",
        "ascolto_busy_retries_total",
        "Updates handled again because the database was busy.",
    ),
    (
        "request_retries",
        "ascolto_bot_api_retries_total",
        "Bot API calls retried after a 429 or a 5xx answer.",
    ),
    ("rate_limited", "ascolto_bot_api_rate_limited_total", "429 answers to the bot's replies."),
    (
        "stale_callback_answers",
        "ascolto_stale_callback_answers_total",
        "Button answers Telegram refused as too late.",
    ),
    (
        "unreachable_replies",
        "ascolto_unreachable_replies_total",
        "Replies refused with 403 (the person blocked the bot).",
    ),
)
OUTBOX_COUNTERS = (
    ("sent", "ascolto_outbox_sent_total", "Outbox messages sent (by this worker as leader)."),
    ("failed", "ascolto_outbox_failed_total", "Outbox messages given up on."),
    ("rate_limited", "ascolto_outbox_rate_limited_total", "429 answers to outbox sends."),
)
LATENCY = "ascolto_handler_latency_seconds"


def _number(value: float) -> str:
    if value == float("inf"):
        return "+Inf"
    return repr(float(value)) if isinstance(value, float) else str(value)


def _labels(**labels: str) -> str:
    inside = ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items())
    return "{" + inside + "}" if inside else ""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(workers: Mapping[str, Mapping[str, Any]], gauges: Mapping[str, float | None]) -> str:
    """``workers``: worker id → snapshot; ``gauges``: deployment-wide values (None: unknown,
    left out rather than reported as 0)."""
    lines: list[str] = []
    ordered = sorted(workers.items(), key=lambda item: (len(item[0]), item[0]))
    for key, name, text in COUNTERS:
        lines += [f"# HELP {name} {text}", f"# TYPE {name} counter"]
        for worker, snapshot in ordered:
            lines.append(f"{name}{_labels(worker=worker)} {int(snapshot.get(key, 0))}")
    for key, name, text in OUTBOX_COUNTERS:
        lines += [f"# HELP {name} {text}", f"# TYPE {name} counter"]
        for worker, snapshot in ordered:
            outbox = snapshot.get("outbox") or {}
            lines.append(f"{name}{_labels(worker=worker)} {int(outbox.get(key, 0))}")
    lines += [
        f"# HELP {LATENCY} Seconds to handle one update, retries included.",
        f"# TYPE {LATENCY} histogram",
    ]
    for worker, snapshot in ordered:
        histogram = snapshot.get("handler_latency") or {}
        bounds = list(histogram.get("bounds", ()))
        counts = list(histogram.get("counts", ()))
        cumulative = 0
        for bound, count in zip([*bounds, float("inf")], counts, strict=False):
            cumulative += int(count)
            le = _labels(worker=worker, le=_number(float(bound)))
            lines.append(f"{LATENCY}_bucket{le} {cumulative}")
        lines.append(f"{LATENCY}_sum{_labels(worker=worker)} {float(histogram.get('total', 0.0))}")
        lines.append(f"{LATENCY}_count{_labels(worker=worker)} {cumulative}")
    for name, (text, value) in _gauges(gauges).items():
        lines += [f"# HELP {name} {text}", f"# TYPE {name} gauge", f"{name} {_number(value)}"]
    name = "ascolto_workers_reporting"
    lines += [
        f"# HELP {name} Worker processes whose counters this scrape includes.",
        f"# TYPE {name} gauge",
        f"{name} {len(ordered)}",
    ]
    return "\n".join(lines) + "\n"


GAUGE_HELP = {
    "ascolto_outbox_depth": "Outbox messages still to send (pending or in flight).",
}


def _gauges(gauges: Mapping[str, float | None]) -> dict[str, tuple[str, float]]:
    return {
        name: (GAUGE_HELP.get(name, name), value)
        for name, value in gauges.items()
        if value is not None
    }
