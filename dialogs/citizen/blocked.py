"""A blocked participant's updates: turned away politely, nothing processed, nothing stored.

``PersonMiddleware`` calls :meth:`BlockedGate.turn_away` once it knows the person is blocked
(``Participant.blocked_at``). Everything is stopped there, in one place, before any handler
runs, except:

- their rights: ``/mydata``, ``/delete`` (and its confirmation button) and ``/stop``. Access
  and erasure are legal rights (GDPR Art. 15 and 17) that a block for abuse does not suspend,
  and ``/stop`` only ever reduces what we send;
- staff: someone who is also staff keeps their staff commands (an admin who took part as a
  citizen and was blocked must still be able to open ``/blocked``).

The notice goes at most once every ``every`` (10 minutes) per person and block: replying to
every message would let an abuser make the bot spam its own rate limit, while a single notice
could be missed. The time of the last notice is kept in this process's memory only, because
nothing about a blocked person's messages may be stored; with several workers each may send
one notice per period, which is harmless. Taps are always answered (with the notice as a
toast) so that the client's spinner stops; that sends no message.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, TelegramObject

from dialogs import callbacks as cb
from dialogs.i18n import Translator
from surveys.clock import SystemClock
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.usecases.staff import role_of

if TYPE_CHECKING:
    from dialogs.citizen.person import Person

RIGHTS_COMMANDS = frozenset({"mydata", "delete", "stop"})
ERASE_PREFIX = cb.Erase.__prefix__ + cb.Erase.__separator__
NOTICE_EVERY = timedelta(minutes=10)
REMEMBERED = 10_000  # people whose last notice time is kept (oldest forgotten first)


def _command(text: str | None) -> str | None:
    if not text or not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else None


def exercises_a_right(event: TelegramObject) -> bool:
    if isinstance(event, Message):
        return _command(event.text) in RIGHTS_COMMANDS
    if isinstance(event, CallbackQuery):
        return (event.data or "").startswith(ERASE_PREFIX)
    return False


class BlockedGate:
    def __init__(self, every: timedelta = NOTICE_EVERY) -> None:
        self.every = every
        self._noticed: OrderedDict[tuple[str, datetime | None], datetime] = OrderedDict()

    def notice_due(self, key: tuple[str, datetime | None], now: datetime) -> bool:
        """Whether to send the notice now (and note that it was); ``key`` is the person's
        pseudonym and the time of their block, so a new block gets a new notice."""
        last = self._noticed.get(key)
        if last is not None and now - last < self.every:
            return False
        self._noticed[key] = now
        self._noticed.move_to_end(key)
        while len(self._noticed) > REMEMBERED:
            self._noticed.popitem(last=False)
        return True

    async def turn_away(self, event: TelegramObject, person: Person, data: dict[str, Any]) -> bool:
        """True when the update was turned away (the handler must not run)."""
        if exercises_a_right(event):
            return False
        user = getattr(event, "from_user", None)
        uow_factory: UnitOfWorkFactory | None = data.get("uow_factory")
        admin_ids: Collection[int] = data.get("admin_ids", frozenset())
        staff = (
            user is not None
            and uow_factory is not None
            and await role_of(uow_factory, user.id, admin_ids) is not None
        )
        if staff:
            return False
        text = Translator(person.language)("blocked-notice")
        if isinstance(event, CallbackQuery):
            await event.answer(text)
            return True
        if isinstance(event, Message) and event.chat.type == ChatType.PRIVATE:
            clock: Clock = data.get("clock") or SystemClock()
            assert person.participant is not None
            key = (person.pseudonym, person.participant.blocked_at)
            if self.notice_due(key, clock.now()):
                await event.answer(text)
        return True
