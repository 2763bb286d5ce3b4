"""The interactive benchmark's bookkeeping (bench/interactive.py): script, percentiles, verdict."""

from __future__ import annotations

from typing import Any

from bench.interactive import _percentile, _script, verdict


def test_each_citizen_sends_fifteen_updates_typed_where_the_survey_wants_text() -> None:
    steps = _script("bench-interactive")
    assert len(steps) == 15
    assert steps[:2] == ["start", "consent"] and steps[-1] == "submit"
    typed = [i - 2 for i, step in enumerate(steps) if step.startswith("type:")]
    assert typed == [4, 6, 10, 11]  # q05 and q11 are numbers, q07 and q12 free text


def test_percentiles_pick_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert _percentile(values, 0.5) == 51.0
    assert _percentile(values, 0.95) == 95.0
    assert _percentile(values, 0.99) == 99.0
    assert _percentile([7.0], 0.95) == 7.0


def _series(bot: str, database: str | None, rate: float) -> dict[str, Any]:
    return {"bot": bot, "citizens": 100, "database": database, "max_rate_p95_le_50ms": rate}


def test_the_verdict_compares_sqlite_with_100_citizens_to_the_echo_ceiling() -> None:
    series = [
        _series("echo", None, 800.0),
        _series("app", "postgresql+asyncpg", 900.0),
        _series("app", "sqlite+aiosqlite", 350.0),
    ]
    check = verdict(series)
    assert check["sqlite_100_rate"] == 350.0 and check["echo_100_rate"] == 800.0
    assert check["meets_rate"] and not check["meets_share"]
    assert verdict(series[:2]) == {"checked": False}
