"""Plain-function and magic filters (``F.…``) run in the event loop, not in a worker thread.

aiogram runs every filter that is not a coroutine through ``asyncio.to_thread``
(``CallableObject.call``), magic filters included: ``F.chat.type == "private"`` on a router
costs a thread-pool round trip (two event-loop iterations and a queue put) for a comparison of
two strings. Each staff router starts with such a filter, and a citizen's update crossed about
15 to 30 of them before reaching its handler: most of the ~2 ms that dispatch cost per update.

Our sync filters are all pure and cheap (magic filters, ``is_survey_file``, "not a command"),
so ``run_filters_inline`` gives each one a coroutine that calls it directly. What a filter
returns, and therefore which handler answers, does not change. Call it on the finished router
tree (``dialogs.setup_routers``). A filter that blocks (I/O) must be a coroutine instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiogram import Router
    from aiogram.dispatcher.event.handler import FilterObject


def run_filters_inline(root: Router) -> int:
    """Make every sync filter in ``root`` and its sub-routers a coroutine; returns how many."""
    changed = 0
    for router in root.chain_tail:
        for observer in router.observers.values():
            # The router-level filters (``router.message.filter(...)``) live in the observer's
            # own HandlerObject; aiogram has no public getter for them.
            changed += _inline_all(observer._handler.filters or ())
            for handler in observer.handlers:
                changed += _inline_all(handler.filters or ())
    return changed


def _inline_all(filters: Iterable[FilterObject]) -> int:
    return sum(_inline(filter_) for filter_ in filters)


def _inline(filter_: FilterObject) -> int:
    from aiogram.filters.logic import _AndFilter, _InvertFilter, _OrFilter

    callback = filter_.callback
    changed = 0
    # or_f / and_f / ~Filter wrap their operands in FilterObjects of their own.
    if isinstance(callback, _InvertFilter):
        changed += _inline(callback.target)
    elif isinstance(callback, _AndFilter | _OrFilter):
        changed += _inline_all(callback.targets)
    if filter_.awaitable:
        return changed
    filter_.callback = _coroutine(callback)
    filter_.awaitable = True  # the keyword arguments it takes (``params``) stay as they were
    return changed + 1


def _coroutine(sync: Callable[..., Any]) -> Callable[..., Any]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        return sync(*args, **kwargs)

    run.__qualname__ = run.__name__ = getattr(sync, "__name__", type(sync).__name__)
    return run
