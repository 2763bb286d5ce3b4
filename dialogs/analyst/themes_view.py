"""Texts and keyboards of ``/themes``: the summary list, a theme's card and the pickers.

Pure rendering of what ``surveys.usecases.theme_views`` computed; plain text (no parse mode),
so labels and quotes written by anyone are shown as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from dialogs.analyst.themes_keys import (
    CANCEL,
    HIDE,
    LETTERS,
    MERGE,
    RENAME,
    SPLIT,
    UNHIDE,
    UNHIDE_FROM_LIST,
    ThemeAct,
    ThemeFind,
    ThemeList,
    ThemeMerge,
    ThemeMovePick,
    ThemeMoveTo,
    ThemeOpen,
)
from dialogs.facilitator.statements import StatementFromTheme
from dialogs.i18n import Translator
from surveys.usecases.theme_views import (
    QUOTES_PER_PAGE,
    ThemeCard,
    ThemeChoice,
    ThemeLine,
    ThemesSummary,
    trim,
)

PER_PAGE = 8  # themes per page of the list
MAX_MESSAGE = 4000  # Telegram's limit is 4096 characters
BUTTON_LABEL = 40


def _title(title: Mapping[str, str], language: str, slug: str) -> str:
    return title.get(language) or title.get("it") or title.get("en") or slug


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def choices_markup(choices: Sequence[ThemeChoice], language: str) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(_title(c.title, language, c.slug), ThemeList(c=c.consultation_id).pack())]
            for c in choices
        ]
    )


def _line_text(_: Translator, line: ThemeLine) -> str:
    return _(
        "themes-line",
        count=line.count,
        share=percent(line.share),
        week=line.this_week,
    )


def summary_view(
    _: Translator, summary: ThemesSummary, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The list (page ``page``) or, before any run, the "Find themes now" offer."""
    title = _title(summary.title, _.language, summary.slug)
    c = summary.consultation_id
    if not summary.has_run:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[_button(_("themes-find-now"), ThemeFind(c=c).pack())]]
        )
        return _("themes-no-run", title=title), markup
    pages = max(1, -(-len(summary.themes) // PER_PAGE))
    page = min(max(page, 0), pages - 1)
    start = page * PER_PAGE
    shown = summary.themes[start : start + PER_PAGE]
    parts = [
        _("themes-header", title=title),
        _("themes-respondents", people=summary.respondents, min=summary.min_group_size),
    ]
    for number, line in enumerate(shown, start + 1):
        block = [f"{number}. {line.label}", _line_text(_, line)]
        block += [f"“{quote}”" for quote in line.quotes]
        parts.append("\n".join(block))
    if not summary.themes:
        parts.append(_("themes-empty"))
    rest = len(summary.themes) - start - len(shown)
    if rest > 0:
        parts.append(_("themes-more", count=rest))
    if summary.other:
        parts.append(_("themes-unthemed", count=summary.other))
    if summary.hidden:
        labels = ", ".join(f"{line.label} ({line.count})" for line in summary.hidden)
        parts.append(_("themes-hidden", labels=labels))
    rows = [
        [
            _button(
                f"{number}. {trim(line.label, BUTTON_LABEL)} ({line.count})",
                ThemeOpen(c=c, t=line.theme_id).pack(),
            )
        ]
        for number, line in enumerate(shown, start + 1)
    ]
    pager = []
    if page > 0:
        pager.append(_button(_("themes-previous"), ThemeList(c=c, p=page - 1).pack()))
    if rest > 0:
        pager.append(_button(_("themes-next"), ThemeList(c=c, p=page + 1).pack()))
    if pager:
        rows.append(pager)
    for line in summary.hidden:
        rows.append(
            [
                _button(
                    _("themes-unhide-button", label=trim(line.label, BUTTON_LABEL)),
                    ThemeAct(c=c, t=line.theme_id, a=UNHIDE_FROM_LIST, p=page).pack(),
                )
            ]
        )
    return _fit(parts), InlineKeyboardMarkup(inline_keyboard=rows)


def _fit(parts: Sequence[str]) -> str:
    """Blocks joined by blank lines, as many as fit a Telegram message."""
    text = ""
    for part in parts:
        candidate = f"{text}\n\n{part}" if text else part
        if len(candidate) > MAX_MESSAGE:
            return text + "\n\n…"
        text = candidate
    return text


def _cell(_: Translator, cell: int | None, minimum: int) -> str:
    return _("themes-card-suppressed", min=minimum) if cell is None else str(cell)


def card_view(
    _: Translator, card: ThemeCard, *, make_statements: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The card; "Make a statement" only when ``make_statements`` (the reader may use it)."""
    line = card.line
    c, t = card.consultation_id, line.theme_id
    head = [
        line.label,
        _line_text(_, line) + " · " + _("themes-card-people", people=line.people),
    ]
    if card.keywords:
        head.append(_("themes-card-keywords", keywords=", ".join(card.keywords)))
    if line.hidden:
        head.append(_("themes-card-hidden"))
    parts = ["\n".join(head)]
    if card.quotes:
        first = card.page * QUOTES_PER_PAGE + 1
        quotes = [
            _(
                "themes-card-quotes",
                **{"from": first, "to": first + len(card.quotes) - 1},
                total=line.count,
            )
        ]
        quotes += [f"{n}. “{q.text}”" for n, q in enumerate(card.quotes, 1)]
        parts.append("\n".join(quotes))
    for breakdown in card.breakdowns:
        question = _title(breakdown.segment_text, _.language, breakdown.segment_key)
        cells = breakdown.rows[0].cells if breakdown.rows else ()
        values = " · ".join(
            f"{_title(column, _.language, '?')}: {_cell(_, cell, card.min_group_size)}"
            for column, cell in zip(breakdown.columns, cells, strict=True)
        )
        parts.append(_("themes-card-breakdown", question=trim(question, 80)) + "\n" + values)
    if not card.breakdowns:
        parts.append(_("themes-card-no-breakdown"))

    rows: list[list[InlineKeyboardButton]] = []
    moves = [
        _button(
            _("themes-move-button", number=n),
            ThemeMovePick(c=c, t=t, s=LETTERS[q.ref[0]], n=q.ref[1], p=card.page).pack(),
        )
        for n, q in enumerate(card.quotes, 1)
        if q.ref[0] in LETTERS
    ]
    if moves:
        rows += [moves[:3], moves[3:]] if len(moves) > 3 else [moves]
    pager = []
    if card.page > 0:
        pager.append(_button(_("themes-previous"), ThemeOpen(c=c, t=t, p=card.page - 1).pack()))
    if card.page + 1 < card.pages:
        pager.append(_button(_("themes-next"), ThemeOpen(c=c, t=t, p=card.page + 1).pack()))
    if pager:
        rows.append(pager)
    rows.append(
        [
            _button(_("themes-rename-button"), ThemeAct(c=c, t=t, a=RENAME).pack()),
            _button(_("themes-merge-button"), ThemeAct(c=c, t=t, a=MERGE).pack()),
            _button(_("themes-split-button"), ThemeAct(c=c, t=t, a=SPLIT).pack()),
        ]
    )
    hide = (
        _button(_("themes-unhide-short"), ThemeAct(c=c, t=t, a=UNHIDE).pack())
        if line.hidden
        else _button(_("themes-hide-button"), ThemeAct(c=c, t=t, a=HIDE).pack())
    )
    # Facilitators turn the theme into a statement to vote on (dialogs.facilitator.statements);
    # analysts may not, so they do not see the button.
    if make_statements:
        rows.append([_button(_("statements-from-theme"), StatementFromTheme(c=c, t=t).pack())])
    rows.append([hide, _button(_("themes-back"), ThemeList(c=c).pack())])
    return _fit(parts), InlineKeyboardMarkup(inline_keyboard=rows)


def _targets(summary: ThemesSummary, exclude: int) -> list[ThemeLine]:
    return [line for line in (*summary.themes, *summary.hidden) if line.theme_id != exclude]


def merge_view(
    _: Translator, summary: ThemesSummary, theme_id: int, label: str
) -> tuple[str, InlineKeyboardMarkup]:
    c = summary.consultation_id
    targets = _targets(summary, theme_id)
    rows = [
        [
            _button(
                f"{trim(line.label, BUTTON_LABEL)} ({line.count})",
                ThemeMerge(c=c, t=theme_id, i=line.theme_id).pack(),
            )
        ]
        for line in targets
    ]
    rows.append([_button(_("themes-cancel-button"), ThemeOpen(c=c, t=theme_id).pack())])
    text = _("themes-merge-pick", label=label) if targets else _("themes-merge-none")
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def move_view(
    _: Translator,
    summary: ThemesSummary,
    theme_id: int,
    letter: str,
    text_id: int,
    quote: str,
    page: int,
) -> tuple[str, InlineKeyboardMarkup]:
    c = summary.consultation_id
    rows = [
        [
            _button(
                f"{trim(line.label, BUTTON_LABEL)} ({line.count})",
                ThemeMoveTo(c=c, t=theme_id, s=letter, n=text_id, i=line.theme_id).pack(),
            )
        ]
        for line in _targets(summary, theme_id)
    ]
    rows.append(
        [
            _button(
                _("themes-other-target"),
                ThemeMoveTo(c=c, t=theme_id, s=letter, n=text_id, i=0).pack(),
            )
        ]
    )
    rows.append([_button(_("themes-cancel-button"), ThemeOpen(c=c, t=theme_id, p=page).pack())])
    return _("themes-move-pick", quote=trim(quote, 300)), InlineKeyboardMarkup(inline_keyboard=rows)


def cancel_markup(_: Translator, consultation_id: int, theme_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(
                    _("themes-cancel-button"),
                    ThemeAct(c=consultation_id, t=theme_id, a=CANCEL).pack(),
                )
            ]
        ]
    )
