"""The ``answer_by_button`` scenarios of tests/unit/test_answer_by_button.py on real storage.

Each runs once on SQLite and once on PostgreSQL (the ``storage`` fixture), through the
prebuilt statements of storage/repositories/.
"""

from __future__ import annotations

import pytest

from storage.store import Storage
from surveys.ports import UnitOfWorkFactory
from tests.unit.test_answer_by_button import *  # noqa: F403  (the scenarios, collected here again)


@pytest.fixture
def uow_factory(storage: Storage) -> UnitOfWorkFactory:
    return storage.uow
