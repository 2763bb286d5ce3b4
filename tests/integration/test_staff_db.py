"""Staff roles against real storage: the scenarios of tests/unit/test_usecases_staff.py on
SQLite and PostgreSQL, and the one-time claim of an invitation raced by two transactions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage.store import Storage
from surveys.entities import Invitation, Role
from surveys.ports import UnitOfWorkFactory
from tests.unit.test_usecases_staff import *  # noqa: F403  (the scenarios, collected here again)


@pytest.fixture
def uow_factory(storage: Storage) -> UnitOfWorkFactory:
    return storage.uow


async def test_two_concurrent_claims_admit_one(storage: Storage) -> None:
    now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    async with storage.uow() as uow:
        await uow.invitations.add(
            Invitation("tok-race", Role.ANALYST, None, expires_at=now + timedelta(hours=1))
        )
        await uow.commit()

    async def claim() -> bool:
        async with storage.uow() as uow:
            claimed = await uow.invitations.claim("tok-race", now)
            await asyncio.sleep(0.05)  # hold the transaction open while the other one tries
            await uow.commit()
            return claimed is not None

    results = await asyncio.gather(claim(), claim(), return_exceptions=True)
    assert [r for r in results if r is True] == [True]
    async with storage.uow() as uow:
        stored = await uow.invitations.get("tok-race")
    assert stored is not None and stored.used_at == now
