"""The report's voting section: present with votes (Italian and English), absent without.

The analysis comes from the real analyser (``nlp.opinion_groups``) on a two-camp electorate,
so the section shows what a consultation would: two groups, their representative statements,
a map, consensus, majority and divisive statements.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from markupsafe import escape

from nlp.opinion_groups import OpinionGroupAnalyser
from reports.html import render_html
from reports.voting_section import VOTING_TEXTS, voting_view
from surveys.voting import Vote, VoteValue, VotingAnalysis, VotingReport
from tests.report_support import sample_report
from tests.unit.test_report_html import _Outline

CAMP_A = ["Chiudere il centro alle auto", "Più piste ciclabili in periferia", "Bici gratis"]
CAMP_B = ["Più parcheggi in centro", "Meno ZTL nel weekend", "Sosta gratis il sabato"]
EVERYONE = ["Autobus notturni più frequenti", "Più panchine all'ombra"]
FIRST_ID = 987_650  # participant ids that could not appear in the report by chance


def voting_report() -> VotingReport:
    statements = CAMP_A + CAMP_B + EVERYONE
    votes: list[Vote] = []
    for i in range(40):
        camp = CAMP_A if i < 22 else CAMP_B
        for s, said in enumerate(statements):
            if i % 3 == 0 and s == i % len(statements):
                continue  # a few skip one statement: everyone still has at least seven votes
            agree = said in camp or said in EVERYONE
            votes.append(Vote(FIRST_ID + i, s, VoteValue.AGREE if agree else VoteValue.DISAGREE))
        # A last statement half of them pass on.
        votes.append(Vote(FIRST_ID + i, 8, VoteValue.PASS if i % 2 else VoteValue.AGREE))
    texts = dict(enumerate([*statements, "Un'affermazione su cui si passa"]))
    return VotingReport(analysis=OpinionGroupAnalyser().analyse(votes), statement_texts=texts)


@pytest.fixture(scope="module")
def voting() -> VotingReport:
    return voting_report()


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_report_with_votes_has_the_voting_section(language: str, voting: VotingReport) -> None:
    assert len(voting.analysis.groups) == 2  # the electorate is what the test assumes
    html = render_html(replace(sample_report(), voting=voting), language)
    title = VOTING_TEXTS["voting"][language]
    assert 'id="voting"' in html and title in html
    assert f'href="#voting">{title}<' in html  # in the table of contents
    for key in ("groups", "consensus", "majority", "divisive", "representatives"):
        assert escape(VOTING_TEXTS[key][language]) in html, key
    group = VOTING_TEXTS["group"][language]
    assert group.format(name="A") in html and group.format(name="B") in html
    # Representative statements by their texts (escaped as HTML), each camp's own.
    for said in CAMP_A[:1] + CAMP_B[:1] + EVERYONE:
        assert escape(said) in html, said
    # The map: one marker per participant, a title and description, a table after it.
    outline = _Outline()
    outline.feed(html)
    maps = [children for children in outline.svg_children if children[:2] == ["title", "desc"]]
    markers = {"circle", "rect", "polygon", "path"}
    counts = [sum(tag in markers for tag in children) for children in maps]
    # Frame + 40 points + one legend marker per group.
    assert 1 + 40 + 2 in counts
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, f"heading h{after} after h{before}"
    # No participant id ever reaches the report.
    assert str(FIRST_ID) not in html and str(FIRST_ID + 39) not in html


def test_a_report_without_votes_has_no_voting_section() -> None:
    report = sample_report()
    assert report.voting is None
    for language in ("it", "en"):
        html = render_html(report, language)
        assert 'id="voting"' not in html
        assert escape(VOTING_TEXTS["voting"][language]) not in html


def test_too_few_votes_say_so_instead_of_groups() -> None:
    votes = [Vote(p, s, VoteValue.AGREE) for p in range(3) for s in range(8)]
    report = VotingReport(OpinionGroupAnalyser().analyse(votes), {0: "Più alberi"})
    html = render_html(replace(sample_report(), voting=report), "en")
    assert escape(VOTING_TEXTS["voting_no_groups"]["en"]) in html
    assert VOTING_TEXTS["divisive"]["en"] not in html
    # Majority still makes sense without groups: everyone agreed with everything.
    assert "Più alberi" in html and "#7" in html


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_failed_analysis_is_said_and_nothing_else_shown(language: str) -> None:
    report = VotingReport(VotingAnalysis(participants_voting=40), {0: "Più alberi"}, failed=True)
    html = render_html(replace(sample_report(), voting=report), language)
    assert 'id="voting"' in html  # the section, in the contents too, says what happened
    assert escape(VOTING_TEXTS["voting_failed"][language].format(voting=40)) in html
    for key in ("groups", "majority", "divisive", "voting_no_groups"):
        assert escape(VOTING_TEXTS[key][language]) not in html, key
    assert "Più alberi" not in html


def test_view_lists_follow_the_analysis(voting: VotingReport) -> None:
    view = voting_view(voting, "en")
    analysis = voting.analysis
    texts = voting.statement_texts
    # Consensus: in the analysis's order, only what every group leans to agree with.
    consensus = [row[0] for row in view["consensus_table"]["rows"]]
    assert consensus == [texts[s] for s in analysis.consensus[:2]]
    assert set(consensus) == set(EVERYONE)
    assert [row[0] for row in view["divisive_table"]["rows"]] == [
        texts[s] for s in analysis.divisive[:5]
    ]
    # The divisive table has one column per group after the statement.
    assert view["divisive_table"]["headers"][1:] == ["Group A", "Group B"]
    assert all(len(row) == 3 for row in view["divisive_table"]["rows"])
    sizes = [int(row[1]) for row in view["groups_table"]["rows"]]
    assert sum(sizes) == analysis.participants_grouped == 40


def test_both_languages_have_every_voting_text() -> None:
    for key, entry in VOTING_TEXTS.items():
        assert set(entry) == {"it", "en"}, key
        assert all(value.strip() for value in entry.values()), key
