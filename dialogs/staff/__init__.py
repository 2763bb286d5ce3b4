"""Staff commands in the chat: roles, invitations, the staff list.

``build_routers()`` returns, in order: accepting an invitation (``/start inv-<token>``, open to
anyone holding a valid token), the admin router (``/invite``, ``/staff``, the revoke button),
the router every staff role may use (``/whoami``), and last the denial router. Authorisation
sits on the routers: each carries a role filter for messages and callbacks alike, so a handler
never runs for the wrong person. What the filters turn away reaches the denial router, which
audits the attempt and answers exactly what an unknown command gets. All of them are included
before the citizen routers and take private chats only (groups get the citizen's group reply).

``build_router()`` puts them under one parent whose router-level filters
(``dialogs.staff.gate.StaffGate``) turn away, with one cheap check, every update none of them
could take: a citizen's message or tap skips the staff routers altogether.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiogram import Router


def build_router() -> Router:
    """The staff routers, in the order of ``build_routers``, behind the staff gate."""
    from aiogram import Router

    from dialogs.analyst.themes import ThemeInput
    from dialogs.facilitator.broadcasts import BroadcastStates
    from dialogs.facilitator.common import ScheduleStates
    from dialogs.facilitator.digest import DigestStates
    from dialogs.facilitator.statements import StatementInput
    from dialogs.staff.gate import StaffGate
    from dialogs.staff.roles import STAFF_CALLBACK_PREFIXES, staff_only_commands

    gate = StaffGate(
        staff_only_commands(),
        # Every staff dialog that waits for typed text, by its FSM states.
        (BroadcastStates, DigestStates, StatementInput, ThemeInput, ScheduleStates),
        STAFF_CALLBACK_PREFIXES,
    )
    parent = Router(name="staff")
    parent.message.filter(gate.message)
    parent.callback_query.filter(gate.tap)
    for router in build_routers():
        parent.include_router(router)
    return parent


def build_routers() -> list[Router]:
    from dialogs.analyst import consensus, reports, themes
    from dialogs.facilitator import (
        broadcasts,
        consultations,
        digest,
        moderation,
        statements,
        stats,
    )
    from dialogs.staff import admin, denial, invitations, members

    return [
        invitations.build_router(),
        admin.build_router(),
        members.build_router(),
        stats.build_router(),
        broadcasts.build_router(),
        moderation.build_router(),
        *consultations.build_routers(),
        reports.build_router(),
        themes.build_router(),
        digest.build_router(),
        statements.build_router(),
        consensus.build_router(),
        denial.build_router(),
    ]
