"""What the voting screens show, without a bot: the theme card's statement button, the
``/statements`` list, the citizen's statement keyboard and ``/consensus`` as text."""

from __future__ import annotations

from dialogs.analyst.consensus import consensus_text
from dialogs.analyst.themes_view import card_view
from dialogs.citizen.voting import VoteMenu, VoteTap, _statement_markup
from dialogs.facilitator.statements import (
    StatementAct,
    StatementFromTheme,
    list_view,
    may_make_statements,
)
from dialogs.i18n import Translator, translate
from dialogs.staff.roles import STAFF_CALLBACK_PREFIXES, roles_for_command
from surveys.entities import Role, Statement, StatementStatus
from surveys.usecases.staff import Actor
from surveys.usecases.theme_views import QuoteItem, ThemeCard, ThemeLine
from surveys.usecases.voting import ConsensusView, StatementLine, StatementsView
from surveys.voting import (
    OpinionGroup,
    Representative,
    StatementTally,
    VoteValue,
    VotingAnalysis,
    VotingReport,
)


def _datas(markup: object) -> list[str]:
    rows = getattr(markup, "inline_keyboard", [])
    return [str(button.callback_data) for row in rows for button in row]


def test_the_theme_card_offers_a_statement_only_to_who_may_make_one() -> None:
    line = ThemeLine(7, "Biciclette", 9, 6, 0.5, 1, ("Più rastrelliere",), False)
    card = ThemeCard(3, "parchi", line, ("bici",), (QuoteItem(("idea", 4), "x"),), 0, 1, (), 5)
    _text, markup = card_view(Translator("it"), card, make_statements=True)
    assert StatementFromTheme(c=3, t=7).pack() in _datas(markup)
    _text, markup = card_view(Translator("it"), card, make_statements=False)
    assert not any(d.startswith(StatementFromTheme.__prefix__ + ":") for d in _datas(markup))
    # Who may: the statements router's roles and the use case's, i.e. the role matrix's.
    for role in Role:
        actor = Actor(1, role, 1)
        assert may_make_statements(actor) is (role in roles_for_command("statements"))
    assert may_make_statements(None) is False


def test_the_statement_list_has_accept_and_reject_for_pending_ones_only() -> None:
    pending = Statement(3, "Più fontanelle", StatementStatus.PENDING, id=11)
    accepted = Statement(3, "Meno auto", StatementStatus.ACCEPTED, id=12)
    view = StatementsView(
        3,
        "parchi",
        {"it": "Parchi"},
        (StatementLine(pending, 0),),
        (StatementLine(accepted, 4),),
        2,
    )
    text, markup = list_view(Translator("it"), view)
    assert "Più fontanelle" in text and "Meno auto — 4 voti" in text and "2 affermazioni" in text
    datas = _datas(markup)
    assert StatementAct(c=3, s=11, a="a").pack() in datas
    assert StatementAct(c=3, s=11, a="r").pack() in datas
    assert not any(d.startswith("st:") and ":12:" in d for d in datas)
    assert all(d.startswith(STAFF_CALLBACK_PREFIXES) for d in datas)


def test_the_citizen_keyboard_marks_the_choice_and_fits_telegram() -> None:
    markup = _statement_markup(Translator("en"), 2_000_000_000, 2_000_000_000, VoteValue.DISAGREE)
    datas = _datas(markup)
    assert [VoteTap.unpack(d).v for d in datas if d.startswith("vt:")] == [1, -1, 0]
    assert VoteMenu(c=2_000_000_000, a="x").pack() in datas
    assert all(len(d.encode()) <= 64 for d in datas)
    texts = [b.text for row in markup.inline_keyboard for b in row]
    assert texts[1].startswith("✓ ") and not texts[0].startswith("✓")
    # Citizen buttons are never taken for staff ones (the denial router would answer them).
    assert not any(d.startswith(STAFF_CALLBACK_PREFIXES) for d in datas)


def test_consensus_text_names_groups_consensus_and_divisive_statements() -> None:
    analysis = VotingAnalysis(
        groups=[
            OpinionGroup(0, (1, 2, 3), (Representative(10, "agree", 0.8, 0.2, 2.5),)),
            OpinionGroup(1, (4, 5), (Representative(11, "disagree", 0.75, 0.1, 2.0),)),
        ],
        tallies={
            10: StatementTally(10, 3, 2, 0),
            11: StatementTally(11, 2, 3, 0),
            12: StatementTally(12, 5, 0, 0),
        },
        consensus=[12],
        majority=[12],
        divisive=[10, 11],
        participants_voting=5,
        participants_grouped=5,
    )
    texts = {10: "Chiudere il centro", 11: "Più parcheggi", 12: "Più panchine"}
    view = ConsensusView("parchi", {"en": "Parks"}, VotingReport(analysis, texts), 3, 5)
    text = consensus_text(Translator("en"), view)
    assert "2 opinion groups" in text
    assert "Group A (3 people)" in text and "80% agree: Chiudere il centro" in text
    assert "Group B (2 people)" in text and "75% disagree: Più parcheggi" in text
    consensus_part = text.split("Consensus across groups")[1].split("Majority")[0]
    assert "1. Più panchine (100%)" in consensus_part
    assert "1. Chiudere il centro (60%)" in text.split("Divisive")[1]


def test_consensus_text_apologises_when_the_analysis_failed() -> None:
    failed = VotingReport(VotingAnalysis(participants_voting=40), {10: "x"}, failed=True)
    view = ConsensusView("parchi", {"it": "Parchi", "en": "Parks"}, failed, 1, 40)
    for language, title in (("it", "Parchi"), ("en", "Parks")):
        text = consensus_text(Translator(language), view)
        assert text == translate(language, "consensus-failed", {"title": title, "voters": 40})
        assert "/consensus" in text and "40" in text
