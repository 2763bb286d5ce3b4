"""Small helpers shared by the security tests."""

from __future__ import annotations

from tests.e2e.citizen_support import RunningBot


def lift_flood_limit(rb: RunningBot) -> None:
    """These tests send many updates from one person on purpose (forged taps, a long flow)."""
    rb.lift_flood_limit()
