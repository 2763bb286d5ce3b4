"""``report_data`` on real storage, SQLite and PostgreSQL: what a report counts and leaves out.

Twelve citizens answer Opencare (ten in Municipio 1, two in Municipio 9), plus a staff
preview, a withdrawn participation, a hidden answer, a hidden idea and a theme run. The
report counts the twelve, never the preview, the withdrawn one or anything hidden, and hides
every Municipio 9 cell; the HTML, XLSX and CSV carry no id of anyone.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from nlp.pii import scrub
from reports.renderer import ReportFiles
from storage.store import Storage
from storage.tables import answers as answers_table
from storage.tables import ideas as ideas_table
from surveys.clock import FixedClock
from surveys.entities import (
    Answer,
    Contact,
    Idea,
    Participant,
    Participation,
    ParticipationStatus,
    TextSource,
    Theme,
    ThemeMembership,
    ThemeRun,
)
from surveys.usecases import load_consultation
from surveys.usecases.reports import report_data
from tests.report_support import opencare

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
CHAT_ID = 777_000_123_456


async def _person(
    storage: Storage,
    consultation_id: int,
    n: int,
    district: str,
    idea: str,
    *,
    preview: bool = False,
    status: ParticipationStatus = ParticipationStatus.SUBMITTED,
) -> tuple[int, int, int]:
    """A participant with contact, participation and answers; (participation, idea answer
    id, participant id)."""
    async with storage.uow() as uow:
        participant = await uow.participants.add(Participant(pseudonym=f"pseudo-{n:04d}"))
        assert participant.id is not None
        await uow.participants.set_contact(Contact(participant.id, CHAT_ID + n))
        participation = await uow.participations.add(
            Participation(
                participant.id,
                consultation_id,
                version=1,
                status=status,
                is_preview=preview,
                started_at=NOW - timedelta(days=n % 3),
            )
        )
        assert participation.id is not None
        values: dict[str, Any] = {
            "municipio": {"district": district},
            "role": "resident",
            "satisfaction": 7,
            "workshop": True,
            "idea": idea,
        }
        for key, value in values.items():
            await uow.answers.put(Answer(participation.id, key, value, 1))
        await uow.commit()
    async with storage.engine.connect() as connection:
        idea_id = (
            await connection.execute(
                sa.select(answers_table.c.id).where(
                    answers_table.c.participation_id == participation.id,
                    answers_table.c.question_key == "idea",
                )
            )
        ).scalar_one()
    return participation.id, idea_id, participant.id


async def test_report_counts_real_visible_answers_only(storage: Storage) -> None:
    clock = FixedClock(NOW)
    await load_consultation(storage.uow, opencare(), clock, open_now=True)
    async with storage.uow() as uow:
        consultation = await uow.consultations.get_by_slug("opencare")
        assert consultation is not None and consultation.id is not None
        cid = consultation.id
    idea_answers: list[int] = []
    first_participant = 0
    for n in range(12):
        district = "municipio_9" if n >= 10 else "municipio_1"
        _, answer_id, participant_id = await _person(
            storage, cid, n, district, f"Servono più panchine nei giardini, proposta {n}"
        )
        idea_answers.append(answer_id)
        first_participant = first_participant or participant_id
    await _person(storage, cid, 50, "municipio_1", "PREVIEW TEXT by staff", preview=True)
    await _person(
        storage,
        cid,
        51,
        "municipio_1",
        "WITHDRAWN TEXT",
        status=ParticipationStatus.WITHDRAWN,
    )
    async with storage.uow() as uow:
        shown = await uow.ideas.add(Idea(cid, first_participant, "Un orto condiviso", "it"))
        hidden_idea = await uow.ideas.add(Idea(cid, first_participant, "HIDDEN IDEA", "it"))
        run = await uow.themes.add_run(
            ThemeRun(consultation_id=cid, backend="tfidf", model=None, k=1, created_at=NOW)
        )
        assert run.id is not None
        quotes = [{"text": "HIDDEN ANSWER TEXT", "source": "answer", "source_id": idea_answers[0]}]
        quotes.append({"text": "panchine nei giardini", "source": "answer", "source_id": 0})
        quotes[1]["source_id"] = idea_answers[1]
        [theme] = await uow.themes.save(
            run.id, [Theme(run_id=run.id, label="panchine", keywords=["panchine"], quotes=quotes)]
        )
        assert theme.id is not None
        await uow.themes.add_memberships(
            [ThemeMembership(theme.id, TextSource.ANSWER, a) for a in idea_answers]
        )
        await uow.commit()
    async with storage.engine.begin() as connection:
        await connection.execute(
            sa.update(answers_table)
            .where(answers_table.c.id == idea_answers[0])
            .values(value="HIDDEN ANSWER TEXT", hidden_at=NOW)
        )
        await connection.execute(
            sa.update(ideas_table).where(ideas_table.c.id == hidden_idea.id).values(hidden_at=NOW)
        )

    data = await report_data(storage.uow, clock, "opencare", 5, "Europe/Rome", scrub=scrub)
    assert data is not None
    # Hidden answers and ideas are never quoted or listed but still count in the numbers…
    assert (data.participants, data.completed, data.ideas) == (12, 12, 2)
    assert [t.label for t in data.themes] == ["panchine"]
    assert data.themes[0].size == 12 and data.hidden_texts == 2
    assert data.themes[0].quotes == ("panchine nei giardini",)
    texts = [row.text for row in data.free_texts]
    assert "Un orto condiviso" in texts and "HIDDEN IDEA" not in texts
    assert not any(t.startswith(("HIDDEN", "PREVIEW", "WITHDRAWN")) for t in texts)
    workshop = next(q for q in data.questions if q.key == "workshop")
    assert [(o.value, o.count) for o in workshop.options] == [("yes", 12), ("no", 0)]
    by_district = next(b for b in workshop.breakdowns if b.segment_key == "municipio")
    columns = [c["en"] for c in by_district.columns]
    yes = by_district.rows[0].cells
    assert yes[columns.index("Municipio 1")] == 10
    assert yes[columns.index("Municipio 9")] is None  # two people: suppressed
    theme_by_district = next(b for b in data.themes[0].breakdowns if b.segment_key == "municipio")
    assert theme_by_district.rows[0].cells[columns.index("Municipio 9")] is None
    assert sum(d.count for d in data.days) == 12
    assert await report_data(storage.uow, clock, "nope", 5, "Europe/Rome", scrub=scrub) is None
    # …unless the facilitator excludes them: then they leave the numbers too.
    excluded = await report_data(
        storage.uow, clock, "opencare", 5, "Europe/Rome", scrub=scrub, exclude_hidden=True
    )
    assert excluded is not None and excluded.hidden_excluded
    assert (excluded.ideas, excluded.themes[0].size) == (1, 11)

    files = ReportFiles()
    html = files.html(data, "it").decode("utf-8")
    csv_text = files.csv(data, "en").decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(files.xlsx(data, "en"))) as archive:
        xlsx = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8")
    for output in (html, csv_text, xlsx):
        for secret in ("HIDDEN", "PREVIEW TEXT", "WITHDRAWN TEXT", "pseudo-00", str(CHAT_ID)):
            assert secret not in output
    assert "http://" not in html and "https://" not in html
    assert shown.id is not None
