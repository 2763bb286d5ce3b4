"""A consultation file sent in the chat (``.yaml`` / ``.yml``): validated with the same parser
as ``ascolto survey validate``, then stored as a draft or a new version (never opened).

Errors come with their line numbers, in the facilitator's language, the first
``ERRORS_SHOWN`` of them and a count of the rest; nothing is stored but an audit entry. Only
facilitators and admins reach this router (its filter): anyone else's YAML file goes on to the
citizen's routers and gets the usual reply to a file.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message

from dialogs.citizen.person import Person
from dialogs.facilitator.screens import screen_keyboard, screen_text
from dialogs.i18n import Translator
from dialogs.staff.roles import FACILITATORS, HasRole
from dialogs.staff.text import translator
from surveys.format import ValidationError, parse_definition
from surveys.ports import Clock, UnitOfWorkFactory
from surveys.schedule_input import DEFAULT_TIMEZONE
from surveys.usecases.consultation_admin import (
    Uploaded,
    record_invalid_upload,
    upload_consultation,
)
from surveys.usecases.outcomes import LoadChange
from surveys.usecases.staff import Actor

MAX_BYTES = 256 * 1024  # the largest example is about 20 KB
ERRORS_SHOWN = 10
ERROR_CHARS = 300  # one error line at most (a long value quoted in a message)
SUFFIXES = (".yaml", ".yml")


def is_survey_file(message: Message) -> bool:
    document = message.document
    return document is not None and (document.file_name or "").lower().endswith(SUFFIXES)


def errors_text(_: Translator, name: str, errors: tuple[ValidationError, ...]) -> str:
    lines = [_("cons-upload-invalid", file=name, count=len(errors))]
    for error in errors[:ERRORS_SHOWN]:
        line = error.format(_.language)
        lines.append("• " + (line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 1] + "…"))
    if len(errors) > ERRORS_SHOWN:
        lines.append(_("cons-upload-more-errors", count=len(errors) - ERRORS_SHOWN))
    lines.append(_("cons-upload-nothing-stored"))
    return "\n".join(lines)


async def _read(message: Message, bot: Bot) -> bytes | None:
    assert message.document is not None
    try:
        buffer = await bot.download(message.document)
    except TelegramAPIError:
        return None
    return buffer.read() if buffer is not None else None


async def on_survey_file(
    message: Message,
    bot: Bot,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    actor: Actor,
    person: Person | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> None:
    _ = translator(message, person)
    document = message.document
    assert document is not None
    name = document.file_name or "survey.yaml"
    if (document.file_size or 0) > MAX_BYTES:
        await message.answer(_("cons-upload-too-big", kilobytes=MAX_BYTES // 1024))
        return
    data = await _read(message, bot)
    if data is None:
        await message.answer(_("cons-upload-unreadable"))
        return
    if len(data) > MAX_BYTES:
        await message.answer(_("cons-upload-too-big", kilobytes=MAX_BYTES // 1024))
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        await record_invalid_upload(uow_factory, clock, actor, errors=1)
        await message.answer(_("cons-upload-not-utf8"))
        return
    result = parse_definition(text, name)
    if not result.ok or result.definition is None:
        await record_invalid_upload(uow_factory, clock, actor, errors=len(result.errors))
        await message.answer(errors_text(_, name, result.errors))
        return
    outcome = await upload_consultation(uow_factory, clock, actor, result.definition)
    if not isinstance(outcome, Uploaded):
        await message.answer(_("unknown-command"))
        return
    view = outcome.view
    kind = {
        LoadChange.CREATED: "cons-uploaded-created",
        LoadChange.NEW_VERSION: "cons-uploaded-new-version",
        LoadChange.UNCHANGED: "cons-uploaded-unchanged",
    }[outcome.change]
    note = _(kind, version=view.consultation.current_version)
    closes_at = view.consultation.closes_at
    if closes_at is not None and closes_at <= clock.now():
        note += "\n" + _("cons-uploaded-closing-past")  # the file's dates are out of date
    text = screen_text(_, view, timezone, note)
    await message.answer(text, reply_markup=screen_keyboard(_, view))


def build_router() -> Router:
    router = Router(name="facilitator-upload")
    router.message.filter(
        F.chat.type == ChatType.PRIVATE, F.document, is_survey_file, HasRole(FACILITATORS)
    )
    router.message.register(on_survey_file)
    return router
