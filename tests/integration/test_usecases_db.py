"""The use-case scenarios of tests/unit/test_usecases.py against real storage.

Every test of that module is imported here and runs again, once on SQLite and once on
PostgreSQL, with ``uow_factory`` now handing out real units of work (``storage.uow``). The
fake and the database must agree on every outcome.
"""

from __future__ import annotations

import pytest

from storage.store import Storage
from surveys.ports import UnitOfWorkFactory
from tests.unit.test_usecases import *  # noqa: F403  (the scenarios, collected here again)


@pytest.fixture
def uow_factory(storage: Storage) -> UnitOfWorkFactory:
    return storage.uow
