"""One cheap check in front of every staff router: could any of them take this update?

The staff routers come before the citizen routers, so without the gate every citizen message
and tap crossed all of them (about 16 routers, each with its chat-type, command, prefix and
state filters) before reaching its own handler. The gate looks at what those routers can
possibly take and nothing else, with no database read and no role lookup:

- a message in a private chat that is a staff command (``staff_only_commands``, with the text
  or the caption, as aiogram's ``Command`` reads it), an invitation (``/start inv-…``), a
  document (a survey file), or any message while a staff dialog waits for typed text (the
  ``StatesGroup`` of each such dialog, listed in ``dialogs.staff.build_router``);
- a tap whose data starts with one of ``STAFF_CALLBACK_PREFIXES``.

Everything it lets through meets the staff routers exactly as before (roles decided there,
refusals audited by the denial router); everything else goes on to the citizen routers, which
is where the staff routers would have let it go. So the gate may let through more than the
staff routers take, never less: a staff command or button prefix must be registered in
``dialogs.staff.roles`` and a waiting state listed there (``tests/unit/test_dispatch.py``
checks the routers against both, and that the same handler answers with and without the gate).
"""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.fsm.state import StatesGroup
from aiogram.types import CallbackQuery, Message

from surveys.definition import INVITATION_PREFIX

PRIVATE = "private"


class StaffGate:
    """The two router-level filters of the staff routers' parent: ``message`` and ``tap``."""

    def __init__(
        self,
        commands: Iterable[str],
        states: Iterable[type[StatesGroup]],
        callback_prefixes: tuple[str, ...],
    ) -> None:
        self.commands = frozenset(commands)
        self.states = frozenset(name for group in states for name in group.__all_states_names__)
        self.callback_prefixes = callback_prefixes

    def takes_message(self, message: Message, raw_state: str | None = None) -> bool:
        if message.chat.type != PRIVATE:
            return False  # every staff router takes private chats only
        if raw_state is not None and raw_state in self.states:
            return True
        if message.document is not None:
            return True
        text = message.text or message.caption
        if not text or not text.lstrip().startswith("/"):
            return False  # not a command: what a citizen types most
        # As aiogram's Command.extract_command: the first word, "/name@mention".
        first = text.split(maxsplit=1)
        name = first[0][1:].partition("@")[0]
        if name == "start":
            return len(first) > 1 and first[1].startswith(INVITATION_PREFIX)
        return name in self.commands

    def takes_tap(self, query: CallbackQuery) -> bool:
        data = query.data
        return data is not None and data.startswith(self.callback_prefixes)

    # aiogram filters: coroutines, so they run in the event loop (see dialogs.inline_filters).
    async def message(self, event: Message, raw_state: str | None = None) -> bool:
        return self.takes_message(event, raw_state)

    async def tap(self, event: CallbackQuery) -> bool:
        return self.takes_tap(event)
