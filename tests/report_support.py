"""Small, realistic report data for the report and export tests (no database).

Thirty people answer the Opencare survey: most live in Municipi 1–3, exactly two in Municipio
9 (a segment below the minimum group size), some answers are formula-injection attempts or
carry personal data, and one theme has a quote from a text that is not in the report.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nlp.pii import scrub
from surveys.definition import SurveyDefinition
from surveys.entities import (
    Consultation,
    ConsultationStatus,
    TextSource,
    Theme,
    ThemeMembership,
    ThemeRun,
)
from surveys.format import parse_definition
from surveys.reporting import AnswerRecord, IdeaRecord, ParticipationRecord, ReportData
from surveys.usecases.reports import build_report

EXAMPLES = Path(__file__).resolve().parents[1] / "surveys" / "examples"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
TELEGRAM_ID = 987654321012  # must never appear in any output
INJECTIONS = ('=HYPERLINK("x")', "+39 SUM(A1)", "-2+3", "@ 1+1", "\tTAB", "\rCR")


def opencare() -> SurveyDefinition:
    result = parse_definition((EXAMPLES / "opencare.yaml").read_text("utf-8"), "opencare.yaml")
    assert result.definition is not None
    return result.definition


def _quote(text: Any, answer_id: int) -> dict[str, Any]:
    return {"text": text, "source": "answer", "source_id": answer_id}


def sample_report(min_group_size: int = 5) -> ReportData:
    definition = opencare()
    consultation = Consultation(
        slug="opencare",
        project="Opencare",
        mode=definition.mode,
        status=ConsultationStatus.OPEN,
        opens_at=START,
        closes_at=START + timedelta(days=30),
        id=1,
    )
    participations: list[ParticipationRecord] = []
    answers: list[AnswerRecord] = []
    answer_id = 1000
    districts = ["municipio_1"] * 12 + ["municipio_2"] * 9 + ["municipio_3"] * 7
    districts += ["municipio_9"] * 2
    roles = ["older_person", "carer", "resident", "volunteer", "care_worker"]
    texts_by_person: dict[int, str] = {}
    for n, district in enumerate(districts, start=1):
        pid = 100 + n
        participations.append(
            ParticipationRecord(
                pid, 1, submitted=n % 6 != 0, started_at=START + timedelta(hours=7 * n)
            )
        )
        values: dict[str, Any] = {
            "municipio": {"district": district},
            "role": roles[n % len(roles)],
            "satisfaction": n % 11,
            "services": ["home_care", "meals"] if n % 2 else ["health_point"],
            "priorities": ["low_cost", "close_to_home", "easy_booking"],
            "not_alone": str(1 + n % 5),
            "workshop": n % 3 == 0,
            "barrier_place": {"lat": 45.4642, "lon": 9.19},
        }
        if n <= len(INJECTIONS):
            values["idea"] = INJECTIONS[n - 1] + " servono più panchine al parco"
        elif n == 10:
            values["idea"] = "Scrivetemi a mario.rossi@example.org per il centro anziani"
        else:
            values["idea"] = f"Più assistenza domiciliare per gli anziani soli, idea {n}"
        texts_by_person[pid] = values["idea"]
        for key, value in values.items():
            answer_id += 1
            answers.append(AnswerRecord(answer_id, pid, key, value))
    idea_answers = [a for a in answers if a.question_key == "idea"]
    ideas = [IdeaRecord(5000, "Un orto condiviso per il quartiere", START, 101)]
    run = ThemeRun(consultation_id=1, backend="tfidf", model=None, k=2, created_at=START, id=7)
    home = Theme(
        run_id=7,
        label="assistenza domiciliare",
        keywords=["assistenza", "anziani"],
        quotes=[
            {
                "text": idea_answers[12].value,
                "source": "answer",
                "source_id": idea_answers[12].answer_id,
            },
            # A quote whose text is hidden (not in the answers given): must not appear.
            {"text": "Testo nascosto dal facilitatore", "source": "answer", "source_id": 99999},
        ],
        position=0,
        id=70,
    )
    benches = Theme(
        run_id=7,
        label="panchine",
        keywords=["panchine", "parco"],
        quotes=[
            {
                "text": "servono più panchine al parco",
                "source": "answer",
                "source_id": idea_answers[0].answer_id,
            }
        ],
        position=1,
        id=71,
    )
    other = Theme(run_id=7, label="other", kind="other", id=72)
    memberships = [
        ThemeMembership(70 if i >= len(INJECTIONS) else 71, TextSource.ANSWER, a.answer_id)
        for i, a in enumerate(idea_answers)
    ]
    memberships.append(ThemeMembership(72, TextSource.IDEA, 5000))
    memberships.append(ThemeMembership(70, TextSource.ANSWER, 99999))  # hidden: not in answers
    return build_report(
        consultation,
        definition,
        participations,
        answers,
        ideas,
        run,
        [home, benches, other],
        memberships,
        generated_at=START + timedelta(days=25),
        min_group_size=min_group_size,
        timezone="Europe/Rome",
        scrub=scrub,
    )
