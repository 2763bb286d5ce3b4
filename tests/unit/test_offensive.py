"""Quotes fit to print: the word lists, the matcher, and where quotes are chosen.

``nlp.offensive`` matches whole words, ignoring case, accents, repeated letters and common
tricks; ``nlp.quotes.pick_quotes`` never picks a matching text; the report drops a stored
quote that matches, and answers hidden by moderation are never quoted or listed but still
count in the numbers unless the facilitator excludes them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp import offensive
from nlp.offensive import BUILT_IN, Blocklist, fit_to_print, fold, is_offensive, read_entries
from nlp.quotes import pick_quotes
from reports.html import render_html
from surveys.entities import (
    Consultation,
    ConsultationStatus,
    TextSource,
    Theme,
    ThemeMembership,
    ThemeRun,
)
from surveys.reporting import AnswerRecord, ParticipationRecord, ReportData
from surveys.usecases.reports import build_report
from tests.report_support import opencare

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_extra_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(offensive.ENV, raising=False)
    offensive.configure(None)


@pytest.mark.parametrize(
    "text",
    [
        "Sei uno stronzo",
        "che STRONZATA pazzesca",  # stronz*: any ending
        "stronzooooo!!!",  # repeated letters
        "s.t.r.o.n.z.o",  # spelled out
        "c4zz0 di servizio",  # digits for letters
        "Che mèrda",  # accents
        "porco dio",
        "porcodio",
        "vaffanculo a tutti",
        "This is bullshit",
        "FUCKING useless",
        "f u c k this",
        "what a sh1t service",
        "you absolute WANKERS",
    ],
)
def test_offensive_texts_are_caught(text: str) -> None:
    assert is_offensive(text)
    assert not fit_to_print(text)


@pytest.mark.parametrize(
    "text",
    [
        "Più assistenza domiciliare per gli anziani soli",
        "Un cazzotto? No, una carezza",  # cazzo is a whole word, not a prefix
        "Servono panchine al parco di Scunthorpe",
        "Un negroni al bar del quartiere",
        "shiitake mushrooms at the market",
        "Classe, assistente, passaggio",
        "La merendina per i bambini",
        "",
    ],
)
def test_ordinary_texts_pass(text: str) -> None:
    assert fit_to_print(text)


def test_the_lists_are_data_and_reasonably_sized() -> None:
    for path in BUILT_IN:
        entries = read_entries(path)
        assert 20 <= len(entries) <= 200, path
        assert all(not e.startswith("#") for e in entries)
        # Every entry matches itself once folded (no entry is unmatchable by mistake).
        blocklist = Blocklist(entries)
        assert all(blocklist.matches(e.rstrip("*")) for e in entries)


def test_fold_normalises_the_usual_tricks() -> None:
    assert fold("StRoNzÒÒÒ") == "stronzo"
    assert fold("c.a.z.z.o") == "cazo"
    assert fold("5h1t") == "shit"


def test_staff_extend_the_list_with_a_file(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("# local words\nbabbeo\n", encoding="utf-8")
    assert fit_to_print("che babbeo")
    offensive.configure(str(words))
    assert not fit_to_print("Che BABBEO!")
    # The file is read again when it changes: no restart needed.
    words.write_text("babbeo\nsciocco*\n", encoding="utf-8")
    import os

    os.utime(words, (1, 2_000_000_000))
    assert not fit_to_print("sciocchezze? no: scioccone")
    offensive.configure(str(tmp_path / "missing.txt"))  # a typo: warned, built-in list stays
    assert not fit_to_print("stronzo") and fit_to_print("che babbeo")


def test_the_environment_variable_names_extra_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = tmp_path / "extra.txt"
    words.write_text("pirla\n", encoding="utf-8")
    monkeypatch.setenv(offensive.ENV, str(words))
    assert is_offensive("sei un pirla")


def test_pick_quotes_skips_offensive_texts() -> None:
    texts = [
        "Il servizio è una merda totale e nessuno risponde mai",  # most central
        "Il servizio di assistenza domiciliare risponde troppo tardi",
        "Vorrei che il servizio di assistenza rispondesse prima",
    ]
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.8, 0.2]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    centroid = np.array([1.0, 0.0])
    picked = pick_quotes([0, 1, 2], texts, vectors, centroid, count=3)
    assert [q["row"] for q in picked] == [1, 2] or sorted(q["row"] for q in picked) == [1, 2]
    assert all("merda" not in str(q["text"]) for q in picked)
    # Without the filter the central one would have been first.
    unfiltered = pick_quotes([0, 1, 2], texts, vectors, centroid, count=1, printable=lambda _: True)
    assert unfiltered[0]["row"] == 0


# --- the report: offensive quotes, hidden answers -----------------------------------------------


def _report(*, exclude_hidden: bool = False) -> ReportData:
    """Ten people; answer of person 1 to "idea" and to "role" hidden by moderation; the
    theme's stored quotes name an offensive text, a hidden text and a fine one."""
    definition = opencare()
    consultation = Consultation(
        slug="opencare",
        project="Opencare",
        mode=definition.mode,
        status=ConsultationStatus.CLOSED,
        id=1,
    )
    participations = [
        ParticipationRecord(100 + n, 1, True, START + timedelta(hours=n)) for n in range(1, 11)
    ]
    answers: list[AnswerRecord] = []
    texts: dict[int, str] = {}
    for n in range(1, 11):
        pid = 100 + n
        text = f"Più assistenza domiciliare per gli anziani, proposta {n}"
        if n == 2:
            text = "Gli assistenti sono degli stronzi, servono più controlli"
        texts[n] = text
        answers.append(AnswerRecord(1000 + n, pid, "idea", text, hidden=n == 1))
        answers.append(AnswerRecord(2000 + n, pid, "role", "carer", hidden=n == 1))
    run = ThemeRun(consultation_id=1, backend="tfidf", model=None, k=1, created_at=START, id=7)
    quotes: list[dict[str, Any]] = [
        {"text": texts[2], "source": "answer", "source_id": 1002},  # offensive
        {"text": texts[1], "source": "answer", "source_id": 1001},  # hidden
        {"text": texts[3], "source": "answer", "source_id": 1003},  # fine
    ]
    theme = Theme(run_id=7, label="assistenza", keywords=["assistenza"], quotes=quotes, id=70)
    memberships = [ThemeMembership(70, TextSource.ANSWER, 1000 + n) for n in range(1, 11)]
    return build_report(
        consultation,
        definition,
        participations,
        answers,
        [],
        run,
        [theme],
        memberships,
        generated_at=START + timedelta(days=3),
        min_group_size=5,
        timezone="Europe/Rome",
        scrub=lambda text: text,
        quotable=fit_to_print,
        exclude_hidden=exclude_hidden,
    )


def test_report_quotes_skip_offensive_and_hidden_texts_but_count_them() -> None:
    data = _report()
    [theme] = data.themes
    assert theme.quotes == ("Più assistenza domiciliare per gli anziani, proposta 3",)
    assert theme.size == 10  # the hidden and the offensive text still count
    role = next(q for q in data.questions if q.key == "role")
    assert role.answered == 10
    assert data.free_texts_count == 10 and data.hidden_texts == 2
    listed = [row.text for row in data.free_texts]
    assert len(listed) == 9 and not any(text.endswith("proposta 1") for text in listed)
    idea_column = [q.key for q in data.questions_all].index("idea")
    first = next(row for row in data.participations if row.number == 1)
    assert first.values[idea_column] is None  # a hidden text is never listed in the export
    html = render_html(data, "en")
    assert "never quoted or listed, but they count in the numbers" in html
    assert "proposta 1<" not in html and "stronzi" not in html


def test_the_facilitator_can_exclude_hidden_answers_from_the_numbers() -> None:
    data = _report(exclude_hidden=True)
    [theme] = data.themes
    assert theme.size == 9
    assert next(q for q in data.questions if q.key == "role").answered == 9
    assert data.free_texts_count == 9 and data.hidden_excluded and data.hidden_texts == 2
    html = render_html(data, "it")
    assert "escluse da tutto, numeri compresi" in html


def test_a_missing_word_file_is_a_clear_settings_error(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from bot.settings import Settings

    words = tmp_path / "words.txt"
    words.write_text("babbeo\n", encoding="utf-8")
    assert Settings(_env_file=None, quote_blocklist=str(words)).quote_blocklist == str(words)
    with pytest.raises(ValidationError, match="ASCOLTO_QUOTE_BLOCKLIST: no such word file"):
        Settings(_env_file=None, quote_blocklist=str(tmp_path / "missing.txt"))
