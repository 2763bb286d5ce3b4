"""Staff commands in the chat: roles, invitations, the staff list.

``build_routers()`` returns, in order: accepting an invitation (``/start inv-<token>``, open to
anyone holding a valid token), the admin router (``/invite``, ``/staff``, the revoke button),
the router every staff role may use (``/whoami``), and last the denial router. Authorisation
sits on the routers: each carries a role filter for messages and callbacks alike, so a handler
never runs for the wrong person. What the filters turn away reaches the denial router, which
audits the attempt and answers exactly what an unknown command gets. All of them are included
before the citizen routers and take private chats only (groups get the citizen's group reply).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiogram import Router


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
