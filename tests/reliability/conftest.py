"""Fixtures of the reliability tests: fresh databases of each dialect."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.reliability.support import Databases


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def dialect(request: pytest.FixtureRequest) -> str:
    # A plain fixture: it may request the async ``postgres_server`` (skip, or fail in CI).
    if request.param == "postgresql":
        request.getfixturevalue("postgres_server")
    return str(request.param)


@pytest.fixture
async def databases(dialect: str, tmp_path: Path) -> AsyncIterator[Databases]:
    made = Databases(dialect, tmp_path)
    try:
        yield made
    finally:
        await made.drop_all()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every chaos test runs in ``-m slow`` (``.ci/run`` runs it after the default run): even
    their small sizes take minutes on two cores, and ``./dev test`` stays well under ten."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)
