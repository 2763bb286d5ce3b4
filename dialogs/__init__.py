"""Telegram presentation: one Router per module, assembled by ``setup_routers``.

Handlers are thin: parse the event, call one use case from ``surveys``, render the reply in
the person's language. They receive their dependencies by name from the dispatcher
(``uow_factory`` for this update, ``clock``, ``pepper``) and ``person`` (who is writing, in
which language) from ``dialogs.citizen.person.PersonMiddleware``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # aiogram takes seconds to import; the text catalogues don't need it
    from aiogram import Router


def setup_routers() -> Router:
    from aiogram import Router

    from dialogs import citizen, common, staff
    from dialogs.citizen.person import PersonMiddleware
    from dialogs.inline_filters import run_filters_inline

    root = Router(name="dialogs")
    person = PersonMiddleware()
    root.message.outer_middleware(person)
    root.callback_query.outer_middleware(person)
    # Order matters: staff commands first (private chats only; their role filters turn others
    # away to an audited "unknown command"), then groups and forwarded messages, the
    # catch-alls (unknown command, then anything else) last. The staff routers sit behind one
    # gate that sends every update they could not take straight on to the citizen routers.
    root.include_router(staff.build_router())
    for router in citizen.build_routers():
        root.include_router(router)
    root.include_router(common.build_router())
    root.include_router(citizen.build_fallback_router())
    # aiogram would run each plain-function and F.… filter in a worker thread.
    run_filters_inline(root)
    return root
