"""Staff roles: who is admin, facilitator or analyst; invitations, the staff list, revocation.

Admins are named by configuration (``ASCOLTO_ADMINS``, Telegram user ids) and need no row;
facilitators and analysts join through a one-time invitation that an admin creates and that
expires after 72 hours. Every staff action and every denied attempt is written to the audit
log. Staff act for the city and are not pseudonymous, so their own ids may appear in an audit
entry; a denied person may be a citizen, so a denial never records who they are unless they
are (or were) staff.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from surveys.definition import INVITATION_PREFIX
from surveys.entities import AuditEntry, Invitation, Role, StaffMember
from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory

INVITATION_LIFETIME = timedelta(hours=72)
INVITABLE_ROLES = frozenset({Role.FACILITATOR, Role.ANALYST})
_TOKEN_BYTES = 24  # 32 URL-safe characters: "inv-" + token stays well under Telegram's 64


@dataclass(frozen=True)
class Actor:
    """A person acting with a staff role; ``staff_id`` is ``None`` for configured admins
    without a staff row."""

    telegram_user_id: int
    role: Role
    staff_id: int | None = None


@dataclass(frozen=True)
class NotAllowed:
    """The actor's role does not allow the action (it was audited as a denial)."""

    action: str


@dataclass(frozen=True)
class InvitationCreated:
    invitation: Invitation

    @property
    def payload(self) -> str:
        """The ``/start`` deep-link payload that accepts it."""
        return INVITATION_PREFIX + self.invitation.token


class InvitationProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class InvitationRefused:
    problem: InvitationProblem


@dataclass(frozen=True)
class AlreadyStaff:
    role: Role


@dataclass(frozen=True)
class InvitationAccepted:
    member: StaffMember


@dataclass(frozen=True)
class StaffRevoked:
    member: StaffMember


@dataclass(frozen=True)
class StaffNotFound:
    staff_id: int


async def _audit(
    uow: UnitOfWork,
    clock: Clock,
    action: str,
    actor: Actor | None,
    target: str | None = None,
    **detail: Any,
) -> None:
    staff_id = actor.staff_id if actor is not None else None
    if actor is not None and actor.staff_id is None:
        # A configured admin has no row to point at; staff are audited by name (their id).
        detail.setdefault("admin_telegram_user_id", actor.telegram_user_id)
    await uow.audit.add(
        AuditEntry(action, actor_staff_id=staff_id, target=target, detail=detail, at=clock.now())
    )


async def role_of(
    uow_factory: UnitOfWorkFactory, telegram_user_id: int, admin_ids: Collection[int]
) -> Actor | None:
    """Who this Telegram user is as staff, or ``None`` (citizens and revoked staff)."""
    async with uow_factory() as uow:
        member = await uow.staff.get_by_telegram_user(telegram_user_id)
    active = member if member is not None and member.revoked_at is None else None
    staff_id = active.id if active is not None else None
    if telegram_user_id in admin_ids:
        return Actor(telegram_user_id, Role.ADMIN, staff_id)
    if active is None:
        return None
    return Actor(telegram_user_id, active.role, staff_id)


async def record_denial(
    uow_factory: UnitOfWorkFactory, clock: Clock, action: str, telegram_user_id: int
) -> None:
    """Audit an attempt at a staff action by someone without the role.

    The actor is the staff row when the person is (or was: revoked) staff; a citizen is
    recorded as nobody, with no Telegram id.
    """
    async with uow_factory() as uow:
        member = await uow.staff.get_by_telegram_user(telegram_user_id)
        actor = Actor(telegram_user_id, member.role, member.id) if member is not None else None
        detail: dict[str, Any] = {"revoked": True} if member is not None else {}
        await _audit(uow, clock, "denied", actor, target=action, **detail)
        await uow.commit()


async def create_invitation(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, role: Role
) -> InvitationCreated | NotAllowed:
    """A one-time invitation to ``role`` (facilitator or analyst), valid for 72 hours."""
    async with uow_factory() as uow:
        if actor.role is not Role.ADMIN or role not in INVITABLE_ROLES:
            await _audit(uow, clock, "denied", actor, target="invite", role=str(role))
            await uow.commit()
            return NotAllowed("invite")
        invitation = await uow.invitations.add(
            Invitation(
                token=secrets.token_urlsafe(_TOKEN_BYTES),
                role=role,
                created_by=actor.staff_id,
                expires_at=clock.now() + INVITATION_LIFETIME,
            )
        )
        await _audit(
            uow, clock, "invitation.created", actor, f"invitation:{invitation.id}", role=str(role)
        )
        await uow.commit()
    return InvitationCreated(invitation)


async def accept_invitation(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    token: str,
    telegram_user_id: int,
    display_name: str,
    admin_ids: Collection[int] = (),
) -> InvitationAccepted | InvitationRefused | AlreadyStaff:
    """Claim the invitation (once) and make the person staff with its role."""
    async with uow_factory() as uow:
        existing = await uow.staff.get_by_telegram_user(telegram_user_id)
        if telegram_user_id in admin_ids:
            return AlreadyStaff(Role.ADMIN)
        if existing is not None and existing.revoked_at is None:
            return AlreadyStaff(existing.role)
        now = clock.now()
        invitation = await uow.invitations.claim(token, now)
        if invitation is None:
            found = await uow.invitations.get(token)
            if found is None:
                problem = InvitationProblem.UNKNOWN
            elif found.used_at is not None:
                problem = InvitationProblem.USED
            else:
                problem = InvitationProblem.EXPIRED
            target = f"invitation:{found.id}" if found is not None else None
            await _audit(uow, clock, "invitation.refused", None, target, problem=str(problem))
            await uow.commit()
            return InvitationRefused(problem)
        if existing is not None:  # revoked staff invited again: the same row comes back
            existing.role, existing.revoked_at = invitation.role, None
            existing.display_name = display_name
            await uow.staff.update(existing)
            member = existing
        else:
            member = await uow.staff.add(
                StaffMember(telegram_user_id, invitation.role, display_name, created_at=now)
            )
        actor = Actor(telegram_user_id, member.role, member.id)
        await _audit(
            uow,
            clock,
            "invitation.accepted",
            actor,
            f"invitation:{invitation.id}",
            role=str(member.role),
            telegram_user_id=telegram_user_id,
        )
        await uow.commit()
    return InvitationAccepted(member)


async def list_staff(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor
) -> Sequence[StaffMember] | NotAllowed:
    """Active staff members, for an admin."""
    async with uow_factory() as uow:
        if actor.role is not Role.ADMIN:
            await _audit(uow, clock, "denied", actor, target="staff")
            await uow.commit()
            return NotAllowed("staff")
        members = await uow.staff.list_active()
        await _audit(uow, clock, "staff.listed", actor, count=len(members))
        await uow.commit()
    return members


async def revoke_staff(
    uow_factory: UnitOfWorkFactory, clock: Clock, actor: Actor, staff_id: int
) -> StaffRevoked | StaffNotFound | NotAllowed:
    """End a staff member's access (the row stays for the audit trail)."""
    async with uow_factory() as uow:
        if actor.role is not Role.ADMIN:
            await _audit(uow, clock, "denied", actor, target=f"revoke:staff:{staff_id}")
            await uow.commit()
            return NotAllowed("revoke")
        member = await uow.staff.get(staff_id)
        if member is None or not await uow.staff.revoke(staff_id, clock.now()):
            await _audit(uow, clock, "staff.revoke_failed", actor, f"staff:{staff_id}")
            await uow.commit()
            return StaffNotFound(staff_id)
        member.revoked_at = clock.now()
        await _audit(
            uow,
            clock,
            "staff.revoked",
            actor,
            f"staff:{staff_id}",
            role=str(member.role),
            telegram_user_id=member.telegram_user_id,
        )
        await uow.commit()
    return StaffRevoked(member)


async def recent_audit(uow_factory: UnitOfWorkFactory, limit: int = 50) -> Sequence[AuditEntry]:
    """The latest audit entries, newest first."""
    async with uow_factory() as uow:
        return await uow.audit.list(limit)
