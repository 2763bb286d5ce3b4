"""The report's voting section: opinion groups, their map, consensus, majority and divisive.

Turns a ``surveys.voting.VotingReport`` into the plain view model that
``templates/voting.html.j2`` lays out (``reports.html`` adds it when ``ReportData.voting`` is
set). Its words live in ``VOTING_TEXTS`` below, in Italian and English, beside the rest of
the report's (``reports.texts``) but in their own table so the voting section stays one
self-contained piece. Groups are named by letter (A, B, …) in size order, as the analyser
orders them; statements by their text (``#id`` when the text is missing). When the analysis
could not be run (``VotingReport.failed``) the section says so and shows nothing else.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from reports import svg
from reports.texts import normalise
from surveys.voting import Representative, VotingReport

SHOWN = 5  # statements per list; representatives are already at most five per group

VOTING_TEXTS: dict[str, dict[str, str]] = {
    "voting": {"it": "Voto sulle affermazioni", "en": "Voting on statements"},
    "voting_intro": {
        "it": "{voting} persone hanno votato le affermazioni (d'accordo, in disaccordo, passo); "
        "le {grouped} con almeno {min} voti sono divise in gruppi d'opinione, come fa Pol.is.",
        "en": "{voting} people voted on the statements (agree, disagree, pass); the {grouped} "
        "with at least {min} votes are split into opinion groups, as Pol.is does.",
    },
    "voting_no_groups": {
        "it": "Non ci sono ancora abbastanza voti per formare gruppi d'opinione.",
        "en": "There are not enough votes yet to form opinion groups.",
    },
    "voting_failed": {
        "it": "{voting} persone hanno votato le affermazioni, ma l'analisi dei voti (gruppi "
        "d'opinione, consenso) non è riuscita mentre si preparava questo rapporto. I voti sono "
        "al sicuro: rigenerate il rapporto tra qualche minuto per avere questa sezione.",
        "en": "{voting} people voted on the statements, but the analysis of the votes (opinion "
        "groups, consensus) could not be run while this report was being made. The votes are "
        "safe: make the report again in a few minutes to get this section.",
    },
    "groups": {"it": "Gruppi d'opinione", "en": "Opinion groups"},
    "group": {"it": "Gruppo {name}", "en": "Group {name}"},
    "group_col": {"it": "Gruppo", "en": "Group"},
    "people": {"it": "Persone", "en": "People"},
    "share": {"it": "Quota", "en": "Share"},
    "group_size": {"it": "{count} persone", "en": "{count} people"},
    "map": {"it": "Mappa delle opinioni", "en": "Opinion map"},
    "map_desc": {
        "it": "Ogni punto è una persona; chi vota in modo simile è vicino. {count} persone in "
        "{groups} gruppi: {items}.",
        "en": "Each point is a person; people who vote alike are close together. {count} "
        "people in {groups} groups: {items}.",
    },
    "map_note": {
        "it": "Gli assi non hanno unità: sono le due direzioni in cui i voti differiscono di più.",
        "en": "The axes have no units: they are the two directions in which votes differ most.",
    },
    "representatives": {
        "it": "Affermazioni che distinguono il gruppo",
        "en": "Statements that set the group apart",
    },
    "rep_agree": {
        "it": "d'accordo {group} nel gruppo, {outside} negli altri",
        "en": "agree {group} in the group, {outside} in the others",
    },
    "rep_disagree": {
        "it": "in disaccordo {group} nel gruppo, {outside} negli altri",
        "en": "disagree {group} in the group, {outside} in the others",
    },
    "consensus": {"it": "Consenso tra i gruppi", "en": "Consensus across groups"},
    "consensus_note": {
        "it": "Le affermazioni su cui tutti i gruppi sono d'accordo: prodotto, sui gruppi, "
        "della quota d'accordo (accordi + 1)/(voti + 2).",
        "en": "The statements every group agrees with: product, over the groups, of the "
        "agreement share (agrees + 1)/(votes + 2).",
    },
    "majority": {"it": "Affermazioni di maggioranza", "en": "Majority statements"},
    "majority_note": {
        "it": "Almeno il {share} dei voti è d'accordo.",
        "en": "At least {share} of the votes agree.",
    },
    "divisive": {"it": "Affermazioni che dividono", "en": "Divisive statements"},
    "divisive_note": {
        "it": "Le affermazioni su cui i gruppi differiscono di più (quota d'accordo per gruppo).",
        "en": "The statements on which the groups differ most (agreement share per group).",
    },
    "none": {"it": "Nessuna.", "en": "None."},
    "statement": {"it": "Affermazione", "en": "Statement"},
    "score": {"it": "Consenso", "en": "Consensus"},
    "agree": {"it": "D'accordo", "en": "Agree"},
    "disagree": {"it": "In disaccordo", "en": "Disagree"},
    "pass": {"it": "Passo", "en": "Pass"},
    "agree_share": {"it": "Quota d'accordo", "en": "Agree share"},
}


def vtext(key: str, language: str, **params: object) -> str:
    """The voting section's text ``key`` in ``language`` (Italian for anything else)."""
    entry = VOTING_TEXTS[key]
    template = entry.get(language, entry["it"])
    return template.format(**params) if params else template


def group_name(group_id: int) -> str:
    """A, B, C, … (the analyser gives at most five groups; beyond Z, numbers)."""
    return chr(ord("A") + group_id) if group_id < 26 else str(group_id + 1)


def _percent(share: float, language: str) -> str:
    shown = f"{100 * share:.0f}"
    return f"{shown} %" if language == "it" else f"{shown}%"


def _decimal(value: float, language: str) -> str:
    shown = f"{value:.2f}"
    return shown.replace(".", ",") if language == "it" else shown


def voting_view(report: VotingReport, language: str) -> dict[str, Any]:
    """Every string, table and the map of the voting section, already in ``language``."""
    t = normalise(language)
    if report.failed:  # the analyser failed: the section says so and shows nothing else
        return _failed_view(report, t)
    analysis = report.analysis

    def said(statement: int) -> str:
        return report.statement_texts.get(statement) or f"#{statement}"

    def represent(rep: Representative) -> dict[str, str]:
        key = "rep_agree" if rep.direction == "agree" else "rep_disagree"
        return {
            "text": said(rep.statement),
            "detail": vtext(
                key,
                t,
                group=_percent(rep.share_in_group, t),
                outside=_percent(rep.share_outside, t),
            ),
        }

    grouped = sum(len(g.members) for g in analysis.groups)
    names = [vtext("group", t, name=group_name(g.id)) for g in analysis.groups]
    groups = [
        {
            "name": name,
            "size": vtext("group_size", t, count=len(g.members)),
            "representatives": [represent(r) for r in g.representatives],
        }
        for name, g in zip(names, analysis.groups, strict=True)
    ]
    group_rows = [
        [name, str(len(g.members)), _percent(len(g.members) / grouped if grouped else 0.0, t)]
        for name, g in zip(names, analysis.groups, strict=True)
    ]
    map_chart: Markup | None = None
    if analysis.points and analysis.groups:
        items = "; ".join(
            f"{name}: {len(g.members)}" for name, g in zip(names, analysis.groups, strict=True)
        )
        map_chart = svg.scatter(
            vtext("map", t),
            vtext("map_desc", t, count=len(analysis.points), groups=len(names), items=items),
            [(p.x, p.y, p.group) for p in analysis.points],
            names,
        )
    tallies = analysis.tallies

    def counts(statement: int) -> list[str]:
        tally = tallies[statement]
        return [str(tally.agrees), str(tally.disagrees), str(tally.passes)]

    vote_headers = [vtext("agree", t), vtext("disagree", t), vtext("pass", t)]
    # Only statements every group leans towards agreeing with: the ranking's tail (low
    # product) is not consensus, whatever its rank.
    agreed = [s for s in analysis.consensus if min(tallies[s].group_agree, default=0.0) > 0.5]
    consensus_rows = [
        [said(s), _decimal(tallies[s].consensus, t), *counts(s)] for s in agreed[:SHOWN]
    ]
    majority_rows = [
        [said(s), _percent(tallies[s].agree_share, t), *counts(s)]
        for s in analysis.majority[:SHOWN]
    ]
    divisive_rows = [
        [said(s), *(_percent(share, t) for share in tallies[s].group_agree)]
        for s in analysis.divisive[:SHOWN]
        if len(tallies[s].group_agree) == len(names)
    ]
    return {
        "title": vtext("voting", t),
        "intro": vtext(
            "voting_intro",
            t,
            voting=analysis.participants_voting,
            grouped=analysis.participants_grouped,
            min=analysis.min_votes,
        ),
        "failed": False,
        "has_groups": bool(analysis.groups),
        "groups": groups,
        "groups_table": {
            "caption": vtext("groups", t),
            "headers": [vtext("group_col", t), vtext("people", t), vtext("share", t)],
            "rows": group_rows,
        },
        "map": map_chart,
        "consensus_table": {
            "caption": vtext("consensus", t),
            "headers": [vtext("statement", t), vtext("score", t), *vote_headers],
            "rows": consensus_rows,
        },
        "majority_note": vtext("majority_note", t, share=_percent(0.6, t)),
        "majority_table": {
            "caption": vtext("majority", t),
            "headers": [vtext("statement", t), vtext("agree_share", t), *vote_headers],
            "rows": majority_rows,
        },
        "divisive_table": {
            "caption": vtext("divisive", t),
            "headers": [vtext("statement", t), *names],
            "rows": divisive_rows,
        },
        "vt": lambda key, **params: vtext(key, t, **params),
    }


def _failed_view(report: VotingReport, t: str) -> dict[str, Any]:
    """The analyser failed: the section says so; only the number of voters is known."""
    return {
        "title": vtext("voting", t),
        "intro": vtext("voting_failed", t, voting=report.analysis.participants_voting),
        "failed": True,
        "vt": lambda key, **params: vtext(key, t, **params),
    }
