"""The citizen's conversation, one Router per concern.

``build_routers()`` returns them in the order they must be included: group chats first (so
nothing from a group reaches another handler), forwarded messages next (never taken as
answers), then entering a consultation, answering, privacy commands, following projects and
ideas; ``build_fallback_router()`` goes last of all, after the unknown-command reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiogram import Router


def build_routers() -> list[Router]:
    from dialogs.citizen import (
        consent,
        fallbacks,
        follow,
        groups,
        ideas,
        privacy,
        survey,
        voting,
    )

    return [
        groups.build_router(),
        fallbacks.build_forwarded_router(),
        consent.build_router(),
        voting.build_router(),  # /vote, its buttons, a proposal being typed
        survey.build_router(),
        privacy.build_router(),
        follow.build_router(),
        ideas.build_router(),
    ]


def build_fallback_router() -> Router:
    from dialogs.citizen import fallbacks

    return fallbacks.build_router()
