"""Staff roles through the use cases, against the in-memory fake unit of work.

tests/integration/test_staff_db.py imports this module and runs every scenario again on SQLite
and PostgreSQL, so everything here goes through the use cases and the ports only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.clock import FixedClock
from surveys.definition import INVITATION_PREFIX
from surveys.entities import Role
from surveys.ports import UnitOfWorkFactory
from surveys.usecases.staff import (
    INVITATION_LIFETIME,
    Actor,
    AlreadyStaff,
    InvitationAccepted,
    InvitationCreated,
    InvitationProblem,
    InvitationRefused,
    NotAllowed,
    StaffNotFound,
    StaffRevoked,
    accept_invitation,
    create_invitation,
    list_staff,
    recent_audit,
    record_denial,
    revoke_staff,
    role_of,
)
from tests.fakes import FakeDatabase

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
ADMIN_ID = 1001
ADMINS = frozenset({ADMIN_ID})
ADMIN = Actor(ADMIN_ID, Role.ADMIN)


@pytest.fixture
def uow_factory() -> UnitOfWorkFactory:
    return FakeDatabase().uow


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _invite(uow_factory: UnitOfWorkFactory, clock: FixedClock, role: Role) -> str:
    created = await create_invitation(uow_factory, clock, ADMIN, role)
    assert isinstance(created, InvitationCreated)
    return created.invitation.token


async def test_configured_admins_need_no_row_and_others_have_no_role(
    uow_factory: UnitOfWorkFactory,
) -> None:
    assert await role_of(uow_factory, ADMIN_ID, ADMINS) == Actor(ADMIN_ID, Role.ADMIN, None)
    assert await role_of(uow_factory, 42, ADMINS) is None


async def test_an_invitation_makes_staff_once(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    created = await create_invitation(uow_factory, clock, ADMIN, Role.FACILITATOR)
    assert isinstance(created, InvitationCreated)
    assert created.payload.startswith(INVITATION_PREFIX)
    assert len(created.payload) <= 64
    assert created.invitation.expires_at == NOW + INVITATION_LIFETIME

    accepted = await accept_invitation(uow_factory, clock, created.invitation.token, 7, "Anna")
    assert isinstance(accepted, InvitationAccepted)
    assert accepted.member.role is Role.FACILITATOR
    actor = await role_of(uow_factory, 7, ADMINS)
    assert actor is not None and actor.role is Role.FACILITATOR
    assert actor.staff_id == accepted.member.id

    # The same link again, by someone else: used.
    again = await accept_invitation(uow_factory, clock, created.invitation.token, 8, "Bruno")
    assert again == InvitationRefused(InvitationProblem.USED)
    assert await role_of(uow_factory, 8, ADMINS) is None
    # And by the person who already joined: nothing to do.
    assert await accept_invitation(
        uow_factory, clock, created.invitation.token, 7, "Anna"
    ) == AlreadyStaff(Role.FACILITATOR)


async def test_expired_and_unknown_invitations_are_refused(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    token = await _invite(uow_factory, clock, Role.ANALYST)
    clock.advance(INVITATION_LIFETIME + timedelta(seconds=1))
    assert await accept_invitation(uow_factory, clock, token, 7, "Anna") == InvitationRefused(
        InvitationProblem.EXPIRED
    )
    assert await accept_invitation(uow_factory, clock, "nope", 7, "Anna") == InvitationRefused(
        InvitationProblem.UNKNOWN
    )
    assert await role_of(uow_factory, 7, ADMINS) is None
    actions = [entry.action for entry in await recent_audit(uow_factory)]
    assert actions[:2] == ["invitation.refused", "invitation.refused"]


async def test_only_admins_invite_list_and_revoke(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    token = await _invite(uow_factory, clock, Role.ANALYST)
    accepted = await accept_invitation(uow_factory, clock, token, 7, "Anna")
    assert isinstance(accepted, InvitationAccepted) and accepted.member.id is not None
    analyst = await role_of(uow_factory, 7, ADMINS)
    assert analyst is not None

    assert await create_invitation(uow_factory, clock, analyst, Role.ANALYST) == NotAllowed(
        "invite"
    )
    assert await list_staff(uow_factory, clock, analyst) == NotAllowed("staff")
    assert await revoke_staff(uow_factory, clock, analyst, accepted.member.id) == NotAllowed(
        "revoke"
    )
    # An admin cannot invite another admin either: admins come from configuration only.
    assert await create_invitation(uow_factory, clock, ADMIN, Role.ADMIN) == NotAllowed("invite")

    members = await list_staff(uow_factory, clock, ADMIN)
    assert not isinstance(members, NotAllowed)
    assert [m.telegram_user_id for m in members] == [7]
    denials = [e for e in await recent_audit(uow_factory) if e.action == "denied"]
    assert {e.target for e in denials} >= {"invite", "staff", f"revoke:staff:{accepted.member.id}"}
    assert all(e.actor_staff_id == accepted.member.id for e in denials if e.target != "invite")


async def test_revoking_ends_access_and_a_second_revoke_changes_nothing(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    token = await _invite(uow_factory, clock, Role.FACILITATOR)
    accepted = await accept_invitation(uow_factory, clock, token, 7, "Anna")
    assert isinstance(accepted, InvitationAccepted) and accepted.member.id is not None
    staff_id = accepted.member.id

    revoked = await revoke_staff(uow_factory, clock, ADMIN, staff_id)
    assert isinstance(revoked, StaffRevoked)
    assert await role_of(uow_factory, 7, ADMINS) is None
    assert await revoke_staff(uow_factory, clock, ADMIN, staff_id) == StaffNotFound(staff_id)
    assert await revoke_staff(uow_factory, clock, ADMIN, 999_999) == StaffNotFound(999_999)
    members = await list_staff(uow_factory, clock, ADMIN)
    assert members == []

    # A revoked person may be invited again; the same row comes back with the new role.
    token = await _invite(uow_factory, clock, Role.ANALYST)
    back = await accept_invitation(uow_factory, clock, token, 7, "Anna")
    assert isinstance(back, InvitationAccepted)
    assert back.member.id == staff_id and back.member.role is Role.ANALYST


async def test_denials_of_citizens_record_nobody(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    await record_denial(uow_factory, clock, "invite", 555_000_555)
    (entry,) = await recent_audit(uow_factory, limit=1)
    assert entry.action == "denied" and entry.target == "invite"
    assert entry.actor_staff_id is None
    assert "555000555" not in repr(entry.detail)


async def test_audit_lists_newest_first_with_a_limit(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    for role in (Role.FACILITATOR, Role.ANALYST, Role.FACILITATOR):
        await _invite(uow_factory, clock, role)
        clock.advance(timedelta(minutes=1))
    entries = await recent_audit(uow_factory, limit=2)
    assert [e.detail["role"] for e in entries] == ["facilitator", "analyst"]
    assert entries[0].at is not None and entries[1].at is not None
    assert entries[0].at > entries[1].at
