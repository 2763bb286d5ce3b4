"""``/consensus <consultation>``: opinion groups, consensus and divisive statements, as text.

For every staff role. Without a slug (or with an unknown one) a button per consultation. The
analysis comes from the ``voting_analyser`` port in the dispatcher's data (``nlp`` implements
it, and the bot runs it in a child process: dialogs never import either); without one the
reply says the analysis is unavailable, and when it fails the reply says so politely.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from dialogs.callbacks import unpack_or_none
from dialogs.i18n import Translator
from dialogs.staff.roles import ALL_STAFF, CONSENSUS_COMMANDS, CONSENSUS_PREFIXES, HasRole
from dialogs.staff.text import translator
from surveys.usecases.theme_views import theme_choices, trim
from surveys.usecases.voting import ConsensusView, NoVotes, consensus
from surveys.voting import VotingAnalyser

SHOWN = 5  # statements per list (groups' representatives: 3 each)
LIMIT = 4000  # under Telegram's 4,096 characters


class ConsensusPick(CallbackData, prefix="cs"):
    s: str  # the slug (at most 48 characters: the data stays under 64 bytes)


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def consensus_text(_: Translator, view: ConsensusView) -> str:
    """The analysis as plain text: who voted, the groups, consensus, majority, divisive (or
    an apology when the analysis could not be run)."""
    analysis, texts = view.report.analysis, view.report.statement_texts
    title = view.title.get(_.language) or next(iter(view.title.values()), view.slug)
    if view.report.failed:  # the analysis' process failed: say so, the votes are safe
        return _("consensus-failed", title=title, voters=view.voters)

    def said(statement: int) -> str:
        return trim(texts.get(statement, "?"), 160)

    def agree(statement: int) -> str:
        tally = analysis.tallies.get(statement)
        return _percent(tally.agree_share) if tally is not None else "?"

    parts = [
        _(
            "consensus-title",
            title=title,
            voters=analysis.participants_voting,
            grouped=analysis.participants_grouped,
            statements=view.statements,
            min=analysis.min_votes,
        )
    ]
    if analysis.groups:
        lines = [_("consensus-groups", count=len(analysis.groups))]
        for group in analysis.groups:
            lines.append(
                _("consensus-group", letter=chr(ord("A") + group.id), size=len(group.members))
            )
            for rep in group.representatives[:3]:
                key = (
                    "consensus-rep-agree" if rep.direction == "agree" else "consensus-rep-disagree"
                )
                lines.append(
                    "  • " + _(key, share=_percent(rep.share_in_group), text=said(rep.statement))
                )
        parts.append("\n".join(lines))
    else:
        parts.append(_("consensus-no-groups", min=analysis.min_votes))
    for key, statements in (
        ("consensus-consensus", analysis.consensus),
        ("consensus-majority", analysis.majority),
        ("consensus-divisive", analysis.divisive),
    ):
        if statements:
            lines = [_(key)]
            lines += [f"{n}. {said(s)} ({agree(s)})" for n, s in enumerate(statements[:SHOWN], 1)]
            parts.append("\n".join(lines))
    text = "\n\n".join(parts)
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"


async def _reply(message: Message, _: Translator, slug: str, data: dict[str, Any]) -> None:
    analyser: VotingAnalyser | None = data.get("voting_analyser")
    if analyser is None:
        await message.answer(_("consensus-unavailable"))
        return
    outcome = await consensus(data["uow_factory"], data["clock"], data["actor"], slug, analyser)
    if isinstance(outcome, ConsensusView):
        await message.answer(consensus_text(_, outcome))
    elif isinstance(outcome, NoVotes):
        await message.answer(_("consensus-no-votes"))
    else:
        await _choose(message, _, slug, data)


async def _choose(message: Message, _: Translator, slug: str, data: dict[str, Any]) -> None:
    choices = [c for c in await theme_choices(data["uow_factory"]) if len(c.slug) <= 48]
    if not choices:
        await message.answer(_("consensus-none"))
        return
    rows = [
        [
            InlineKeyboardButton(
                text=c.title.get(_.language) or c.slug,
                callback_data=ConsensusPick(s=c.slug).pack(),
            )
        ]
        for c in choices
    ]
    prompt = _("consensus-unknown", slug=slug[:48]) if slug else _("consensus-choose")
    await message.answer(prompt, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_consensus(message: Message, command: CommandObject, **data: Any) -> None:
    _ = translator(message, data.get("person"))
    slug = (command.args or "").strip().lower()
    if not slug:
        await _choose(message, _, slug, data)
        return
    await _reply(message, _, slug, data)


async def on_pick(query: CallbackQuery, **data: Any) -> None:
    _ = translator(query, data.get("person"))
    pick = unpack_or_none(ConsensusPick, query.data)
    if pick is None or not isinstance(query.message, Message):
        await query.answer(_("consensus-unknown", slug="?"))
        return
    await query.answer()
    await _reply(query.message, _, pick.s.strip().lower(), data)


def build_router() -> Router:
    router = Router(name="analyst-consensus")
    staff = HasRole(ALL_STAFF)
    router.message.filter(F.chat.type == ChatType.PRIVATE, Command(*CONSENSUS_COMMANDS), staff)
    router.callback_query.filter(F.data.startswith(CONSENSUS_PREFIXES), staff)
    router.message.register(on_consensus)
    router.callback_query.register(on_pick)
    return router
