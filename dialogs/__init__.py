"""Telegram presentation: one Router per module, assembled by ``setup_routers``.

Handlers are thin: parse the event, call one use case from ``surveys``, render the reply in
the person's language. They receive their dependencies by name from the dispatcher
(``uow_factory`` for this update, ``clock``, ``pepper``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # aiogram takes seconds to import; the text catalogues don't need it
    from aiogram import Router


def setup_routers() -> Router:
    from aiogram import Router

    from dialogs import common

    root = Router(name="dialogs")
    # Order matters: the catch-all for unknown input of `common` must come last.
    root.include_router(common.build_router())
    return root
