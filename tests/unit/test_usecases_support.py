"""The pieces use cases stand on: pseudonyms, clocks, and the in-memory fake's transactions."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from surveys.clock import FixedClock, SystemClock
from surveys.entities import Participant
from surveys.pseudonyms import pseudonym
from tests.fakes import FakeDatabase, FakeIntegrityError


def test_pseudonym_is_hmac_sha256_of_the_decimal_id() -> None:
    expected = hmac.new(b"pepper", b"123456789", hashlib.sha256).hexdigest()

    assert pseudonym(b"pepper", 123456789) == expected
    assert len(expected) == 64


def test_pseudonym_depends_on_pepper_and_id() -> None:
    assert pseudonym(b"a", 1) != pseudonym(b"b", 1)
    assert pseudonym(b"a", 1) != pseudonym(b"a", 2)
    with pytest.raises(ValueError):
        pseudonym(b"", 1)


def test_clocks() -> None:
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    clock = FixedClock(start)
    clock.advance(timedelta(hours=2))

    assert clock.now() == start + timedelta(hours=2)
    assert SystemClock().now().tzinfo is not None
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 1, 1))  # naive datetimes are refused


async def test_fake_rolls_back_without_commit_and_reads_copies() -> None:
    db = FakeDatabase()
    async with db.uow() as uow:
        added = await uow.participants.add(Participant("p1"))
        await uow.commit()
    async with db.uow() as uow:
        await uow.participants.add(Participant("p2"))  # left without commit: rolled back
    async with db.uow() as uow:
        found = await uow.participants.get(added.id or 0)
        assert found is not None
        found.language = "en"  # changed, but update() is never called
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.participants.get_by_pseudonym("p2") is None
        again = await uow.participants.get(added.id or 0)
        assert again is not None and again.language == "it"
        with pytest.raises(FakeIntegrityError):
            await uow.participants.add(Participant("p1"))
