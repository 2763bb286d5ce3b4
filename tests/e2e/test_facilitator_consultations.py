"""Consultations from the chat, end to end: the real bot on the emulator, over HTTP, on SQLite.

A facilitator sends a YAML file (validated, errors with line numbers in their language; a
valid one becomes a draft, a changed one a new version), lists consultations, schedules them
with typed dates and buttons (Rome time, across the clock changes), opens, closes, extends,
and previews a survey without it counting. Citizens, analysts and revoked staff get exactly the
unknown-command answer, audited, and change nothing; forged buttons change nothing either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dialogs.facilitator.screens import Manage, Pick
from dialogs.i18n import translate
from storage.tables import (
    answers,
    consultations,
    participations,
    schedule_items,
    survey_versions,
)
from surveys.schedule_input import local_wall_time
from tests.e2e.citizen_support import (
    Citizen,
    RunningBot,
    button,
    complete,
    has_buttons,
    join,
    latest,
    running_bot,
)
from tests.e2e.staff_support import (
    Cast,
    assemble_cast,
    audit_rows,
    database_snapshot,
    invite,
    language_of,
    staff_row,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "surveys"

SURVEY = """\
slug: {slug}
project: Orti
mode: survey
languages: [it, en]
title: {{it: "Orto di via Padova", en: "Via Padova garden"}}
intro: {{it: "Due domande.", en: "Two questions."}}
privacy_notice: {{it: "Titolare: Comune di Milano.", en: "Controller: Comune di Milano."}}
questions:
  - key: role
    type: single_choice
    text: {{it: "Chi sei?", en: "Who are you?"}}
    options:
      - value: gardener
        label: {{it: "Coltivo", en: "I garden"}}
      - value: neighbour
        label: {{it: "Abito vicino", en: "I live nearby"}}
  - key: volunteer
    type: yes_no
    text: {{it: "{question}", en: "Would you volunteer?"}}
"""


def survey(slug: str, question: str = "Faresti volontariato?") -> bytes:
    return SURVEY.format(slug=slug, question=question).encode()


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("facilitator") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        yield running


@pytest.fixture(scope="module")
async def cast(rb: RunningBot) -> Cast:
    return await assemble_cast(rb)


@pytest.fixture(scope="module")
async def english_facilitator(rb: RunningBot, cast: Cast) -> Citizen:
    frank = rb.citizen("Frank Facilitator", "en")
    payload = await invite(cast.admin, "facilitator")
    await frank.say(f"/start {payload}")
    assert (await staff_row(rb, frank)) is not None
    return frank


async def send_file(person: Citizen, data: bytes, name: str) -> Any:
    person.user.send_document(data, file_name=name, mime_type="application/x-yaml")
    return await person.read()


async def consultation_row(rb: RunningBot, slug: str) -> dict[str, Any] | None:
    rows = [dict(r) for r in await rb.rows(consultations) if r["slug"] == slug]
    return rows[0] if rows else None


async def versions_of(rb: RunningBot, consultation_id: int) -> list[dict[str, Any]]:
    rows = [dict(r) for r in await rb.rows(survey_versions)]
    return sorted(
        (r for r in rows if r["consultation_id"] == consultation_id), key=lambda r: r["number"]
    )


async def pending_items(rb: RunningBot, consultation_id: int) -> set[tuple[str, datetime]]:
    return {
        (r["kind"], r["due_at"].astimezone(UTC))
        for r in await rb.rows(schedule_items)
        if r["consultation_id"] == consultation_id and r["status"] == "pending"
    }


async def screen(person: Citizen, consultation_id: int) -> Any:
    """The management screen of a consultation, reached the way a person does."""
    listing = await person.say("/consultations")
    view = Manage(c=consultation_id, a="v").pack()
    await person.tap(listing, data=button(listing, view)["callback_data"])
    return latest(person, listing)


async def upload(rb: RunningBot, person: Citizen, slug: str) -> dict[str, Any]:
    reply = await send_file(person, survey(slug), f"{slug}.yaml")
    assert translate(language_of(person), "cons-uploaded-created", {"version": 1}) in (
        reply.text or ""
    )
    row = await consultation_row(rb, slug)
    assert row is not None
    return row


# --- uploading ---------------------------------------------------------------------------------


async def test_valid_file_becomes_a_draft_in_the_facilitators_language(
    rb: RunningBot, cast: Cast, english_facilitator: Citizen
) -> None:
    for person, slug in ((cast.facilitator, "orto-it"), (english_facilitator, "orto-en")):
        language = language_of(person)
        reply = await send_file(person, survey(slug), f"{slug}.yaml")
        text = reply.text or ""
        assert translate(language, "cons-uploaded-created", {"version": 1}) in text
        assert translate(language, "cons-status-draft") in text
        title = "Orto di via Padova" if language == "it" else "Via Padova garden"
        assert title in text
        row = await consultation_row(rb, slug)
        assert row is not None
        assert (row["status"], row["current_version"], row["opens_at"]) == ("draft", 1, None)
        assert [v["number"] for v in await versions_of(rb, row["id"])] == [1]
        datas = [str(b["callback_data"]) for b in reply.buttons]
        assert Manage(c=row["id"], a="p").pack() in datas  # Preview
        assert Manage(c=row["id"], a="pb").pack() in datas  # Publish
        assert all(len(d.encode()) <= 64 for d in datas)
        assert await pending_items(rb, row["id"]) == set()  # a draft has no schedule
        entries = [e for e in await audit_rows(rb) if e["target"] == f"consultation:{slug}"]
        assert [e["action"] for e in entries] == ["consultation.draft_created"]


@pytest.mark.parametrize("persona", ["facilitator", "english"])
async def test_invalid_file_lists_errors_with_lines_and_stores_nothing(
    rb: RunningBot, cast: Cast, english_facilitator: Citizen, persona: str
) -> None:
    person = english_facilitator if persona == "english" else cast.facilitator
    language = language_of(person)
    before = await database_snapshot(rb)
    data = (FIXTURES / "three_mistakes.yaml").read_bytes()
    reply = await send_file(person, data, "three_mistakes.yaml")
    text = reply.text or ""
    assert translate(language, "cons-upload-invalid", {"file": "three_mistakes.yaml", "count": 3})
    lines = [line for line in text.splitlines() if line.startswith("• three_mistakes.yaml:")]
    assert len(lines) == 3, text
    assert all(line.split(":")[1].isdigit() for line in lines)  # FILE:LINE
    marker = "sconosciuto" if language == "it" else "unknown"
    assert marker in text.lower(), text
    assert await database_snapshot(rb) == before  # nothing stored
    assert (await audit_rows(rb))[-1]["action"] == "consultation.upload_invalid"


async def test_syntax_error_and_many_errors_are_trimmed(rb: RunningBot, cast: Cast) -> None:
    person = cast.facilitator
    reply = await send_file(person, b"slug: [unclosed\n  title: x\n", "broken.yml")
    assert "broken.yml:" in (reply.text or "")
    many = "slug: many\nquestions:\n" + "".join(
        f"  - key: q{i}\n    type: nonsense\n" for i in range(15)
    )
    reply = await send_file(person, many.encode(), "many.yaml")
    text = reply.text or ""
    shown = [line for line in text.splitlines() if line.startswith("• many.yaml")]
    assert len(shown) == 10
    assert "… e altri" in text
    assert await consultation_row(rb, "many") is None


async def test_too_big_and_non_utf8_files_are_refused_politely(rb: RunningBot, cast: Cast) -> None:
    person = cast.facilitator
    reply = await send_file(person, b"#" * (300 * 1024), "huge.yaml")
    assert reply.text == translate("it", "cons-upload-too-big", {"kilobytes": 256})
    reply = await send_file(person, b"slug: \xff\xfe\n", "latin.yaml")
    assert reply.text == translate("it", "cons-upload-not-utf8")


async def test_changed_file_is_version_two_and_version_one_stays(
    rb: RunningBot, cast: Cast
) -> None:
    person = cast.facilitator
    row = await upload(rb, person, "orto-v")
    first = await versions_of(rb, row["id"])
    same = await send_file(person, survey("orto-v"), "orto-v.yaml")
    assert translate("it", "cons-uploaded-unchanged", {"version": 1}) in (same.text or "")
    changed = await send_file(person, survey("orto-v", "Daresti una mano?"), "orto-v.yaml")
    assert translate("it", "cons-uploaded-new-version", {"version": 2}) in (changed.text or "")
    versions = await versions_of(rb, row["id"])
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0] == first[0]  # untouched, byte for byte
    assert (await consultation_row(rb, "orto-v") or {})["current_version"] == 2
    actions = [e["action"] for e in await audit_rows(rb) if e["target"] == "consultation:orto-v"]
    assert actions == [
        "consultation.draft_created",
        "consultation.uploaded_unchanged",
        "consultation.new_version",
    ]


async def test_a_citizens_yaml_file_gets_the_citizen_reply(rb: RunningBot, cast: Cast) -> None:
    for person in (cast.citizen, cast.analyst, cast.revoked):
        before = await database_snapshot(rb)
        reply = await send_file(person, survey("sneaky"), "sneaky.yaml")
        assert reply.text == translate(language_of(person), "unexpected-photo")
        await person.read()  # what the bot expects now
        assert await consultation_row(rb, "sneaky") is None
        assert await database_snapshot(rb) == before


# --- scheduling --------------------------------------------------------------------------------


async def test_typed_dates_are_rome_time_across_the_clock_changes(
    rb: RunningBot, cast: Cast
) -> None:
    person = cast.facilitator
    row = await upload(rb, person, "orto-dst")
    cid = row["id"]
    shown = await screen(person, cid)
    await person.tap(shown, data=Manage(c=cid, a="so").pack())
    asked = latest(person, shown)
    assert (asked.text or "").startswith(translate("it", "cons-ask-o", {}).split("?")[0])
    # 28 March 2027 02:30 does not exist in Rome (clocks jump 02:00 → 03:00).
    reply = await person.say("28/03/2027 02:30")
    assert reply.text is not None and "28/03/2027" in reply.text and "02:30" in reply.text
    reply = await person.say("sometime soon")
    assert reply.text is not None and reply.text.startswith(
        translate("it", "cons-typed-unreadable")
    )
    reply = await person.say("01/01/2020 10:00")
    assert (reply.text or "").startswith(translate("it", "cons-problem-past"))
    assert (await consultation_row(rb, "orto-dst") or {})["opens_at"] is None
    # 31 October 2027 02:30 happens twice: the first, still summer time (UTC+2).
    reply = await person.say("31/10/2027 02:30")
    assert translate("it", "cons-done-opening-set", {"opens": "31/10/2027 02:30"}) in (
        reply.text or ""
    )
    stored = await consultation_row(rb, "orto-dst") or {}
    assert stored["opens_at"].astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert stored["status"] == "draft"
    # Closing before the opening is refused; after it, stored in winter time (UTC+1).
    await person.tap(reply, data=Manage(c=cid, a="sc").pack())
    refused = await person.say("30/10/2027 18:00")
    assert (refused.text or "").startswith(translate("it", "cons-problem-closes-before-opens"))
    done = await person.say("2027-11-05 18:00")
    stored = await consultation_row(rb, "orto-dst") or {}
    assert stored["closes_at"].astimezone(UTC) == datetime(2027, 11, 5, 17, 0, tzinfo=UTC)
    # Publish: scheduled, and the scheduler has its rows.
    await person.tap(done, data=Manage(c=cid, a="pb").pack())
    stored = await consultation_row(rb, "orto-dst") or {}
    assert stored["status"] == "scheduled"
    items = await pending_items(rb, cid)
    assert ("open", datetime(2027, 10, 31, 0, 30, tzinfo=UTC)) in items
    assert ("close", datetime(2027, 11, 5, 17, 0, tzinfo=UTC)) in items
    assert translate("it", "cons-done-published", {"opens": "31/10/2027 02:30"}) in (
        latest(person, done).text or ""
    )
    actions = [e["action"] for e in await audit_rows(rb) if e["target"] == "consultation:orto-dst"]
    assert actions == [
        "consultation.draft_created",
        "consultation.opening_set.refused",
        "consultation.opening_set",
        "consultation.closing_set.refused",
        "consultation.closing_set",
        "consultation.published",
    ]


async def test_publish_without_opening_asks_for_one(rb: RunningBot, cast: Cast) -> None:
    person = cast.facilitator
    row = await upload(rb, person, "orto-pub")
    cid = row["id"]
    shown = await screen(person, cid)
    await person.tap(shown, data=Manage(c=cid, a="pb").pack())
    asked = latest(person, shown)
    assert asked.text is not None and asked.text.startswith(
        translate("it", "cons-ask-p", {"timezone": "Europe/Rome"}).split(".")[0]
    )
    await person.tap(asked, data=Pick(c=cid, f="p", k="t9").pack())
    stored = await consultation_row(rb, "orto-pub") or {}
    assert stored["status"] == "scheduled"
    tomorrow = local_wall_time(rb.clock.now()).date() + timedelta(days=1)
    assert local_wall_time(stored["opens_at"]) == datetime.combine(
        tomorrow, datetime.min.time().replace(hour=9)
    )


async def test_open_close_and_extend_change_status_and_schedule(rb: RunningBot, cast: Cast) -> None:
    person = cast.facilitator
    row = await upload(rb, person, "orto-live")
    cid = row["id"]
    shown = await screen(person, cid)
    # Closing in a week (button), then open now.
    await person.tap(shown, data=Manage(c=cid, a="sc").pack())
    await person.tap(shown, data=Pick(c=cid, f="c", k="w1").pack())
    closes = (await consultation_row(rb, "orto-live") or {})["closes_at"].astimezone(UTC)
    assert local_wall_time(closes).strftime("%H:%M") == "23:59"
    await person.tap(shown, data=Manage(c=cid, a="o").pack())
    stored = await consultation_row(rb, "orto-live") or {}
    assert stored["status"] == "open"
    assert translate("it", "cons-done-opened") in (latest(person, shown).text or "")
    assert ("close", closes) in await pending_items(rb, cid)
    # Close now asks first; the first tap changes nothing.
    await person.tap(shown, data=Manage(c=cid, a="x").pack())
    assert (await consultation_row(rb, "orto-live") or {})["status"] == "open"
    confirm = latest(person, shown)
    assert Manage(c=cid, a="xy").pack() in [b["callback_data"] for b in confirm.buttons]
    await person.tap(shown, data=Manage(c=cid, a="xy").pack())
    stored = await consultation_row(rb, "orto-live") or {}
    assert stored["status"] == "closed"
    assert stored["closes_at"].astimezone(UTC) <= rb.clock.now()
    assert not {kind for kind, _ in await pending_items(rb, cid)} & {"open", "close", "reminder"}
    # Extending a closed consultation reopens it until the new closing time (and says so).
    await person.tap(shown, data=Manage(c=cid, a="e").pack())
    answer = await person.tap(shown, data=Pick(c=cid, f="e", k="d7").pack())
    stored = await consultation_row(rb, "orto-live") or {}
    assert stored["status"] == "open"
    new_close = stored["closes_at"].astimezone(UTC)
    assert timedelta(days=6, hours=22) < new_close - rb.clock.now() <= timedelta(days=7, hours=1)
    reopened = translate("it", "cons-done-reopened", {"closes": ""}).split(":")[0]
    assert reopened in (latest(person, shown).text or "")
    assert reopened in str(answer.get("text"))
    assert ("close", new_close) in await pending_items(rb, cid)
    # Extend an open one by a day: the closing moves by a day on the wall clock.
    await person.tap(shown, data=Manage(c=cid, a="e").pack())
    await person.tap(shown, data=Pick(c=cid, f="e", k="d1").pack())
    later = (await consultation_row(rb, "orto-live") or {})["closes_at"].astimezone(UTC)
    assert local_wall_time(later) - local_wall_time(new_close) == timedelta(days=1)
    assert ("close", new_close) not in await pending_items(rb, cid)
    actions = [e["action"] for e in await audit_rows(rb) if e["target"] == "consultation:orto-live"]
    assert actions == [
        "consultation.draft_created",
        "consultation.closing_set",
        "consultation.opened",
        "consultation.closed",
        "consultation.extended",
        "consultation.extended",
    ]


# --- preview -----------------------------------------------------------------------------------


async def test_preview_never_counts_and_never_touches_real_answers(
    rb: RunningBot, cast: Cast
) -> None:
    person = cast.facilitator
    row = await upload(rb, person, "orto-prev")
    cid = row["id"]
    # A draft can be previewed, all the way to the end.
    person.send("/preview orto-prev")
    intro = await person.read()
    assert (intro.text or "").startswith("Anteprima di «Orto di via Padova» (versione 1)")
    first = await person.read_until(has_buttons)
    summary = await complete(person, first, "it")
    answer = await person.tap(summary, data=button(summary, "f:")["callback_data"])
    assert answer["text"] == translate("it", "answer-recorded")
    assert (await person.read()).text == translate("it", "preview-finished")
    preview_rows = [dict(p) for p in await rb.rows(participations) if p["consultation_id"] == cid]
    assert [(p["is_preview"], p["status"]) for p in preview_rows] == [(True, "submitted")]
    async with rb.storage.uow() as uow:
        assert await uow.participations.count(cid) == 0
        assert await uow.answers.count(cid) == 0
        assert await uow.audience.participants_of(cid) == []
        assert await uow.consultations.free_texts(cid) == []
    # Open it; the facilitator also takes part for real and answers the first question.
    shown = await screen(person, cid)
    await person.tap(shown, data=Manage(c=cid, a="o").pack())
    real_first = await join(person, "orto-prev")
    await person.tap(real_first, data=button(real_first, "a:")["callback_data"])
    await person.read_until(has_buttons)  # the second question
    real = [dict(p) for p in await rb.rows(participations) if not p["is_preview"]]
    real = [p for p in real if p["consultation_id"] == cid]
    assert len(real) == 1
    real_answers = sorted(
        (dict(a) for a in await rb.rows(answers) if a["participation_id"] == real[0]["id"]),
        key=lambda a: a["id"],
    )
    assert [a["question_key"] for a in real_answers] == ["role"]
    # A second preview (the button this time) starts over, in the same chat.
    shown = await screen(person, cid)
    await person.tap(shown, data=Manage(c=cid, a="p").pack())
    await person.read()  # the preview's intro
    first = await person.read_until(has_buttons)
    assert "1/2" in (first.text or "")
    await person.tap(first, data=button(first, "a:")["callback_data"])
    await person.read_until(has_buttons)
    after = sorted(
        (dict(a) for a in await rb.rows(answers) if a["participation_id"] == real[0]["id"]),
        key=lambda a: a["id"],
    )
    assert after == real_answers  # the real participation is untouched
    async with rb.storage.uow() as uow:
        assert await uow.participations.count(cid) == 1  # the real one only
        assert await uow.answers.count(cid) == 1
    audit = [e["action"] for e in await audit_rows(rb) if e["target"] == "consultation:orto-prev"]
    assert audit.count("consultation.previewed") == 2


# --- who may do it -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["citizen", "analyst", "revoked"])
async def test_everything_is_unknown_to_everyone_else(
    rb: RunningBot, cast: Cast, persona: str
) -> None:
    row = await consultation_row(rb, "orto-it") or await upload(rb, cast.facilitator, "orto-it")
    cid = row["id"]
    person: Citizen = getattr(cast, persona)
    unknown = translate(language_of(person), "unknown-command")
    for command in ("/consultations", "/preview orto-it"):
        before, audit_before = await database_snapshot(rb), await audit_rows(rb)
        reply = await person.say(command)
        assert reply.text == unknown and not reply.buttons, command
        assert await database_snapshot(rb) == before
        new = (await audit_rows(rb))[len(audit_before) :]
        assert [(e["action"], e["target"]) for e in new] == [("denied", command[1:].split()[0])]
        assert new[0]["actor_staff_id"] == cast.staff_ids.get(persona)
    anchor = await person.say("/nosuchcommand")
    forged = [Manage(c=cid, a=a).pack() for a in ("v", "o", "xy", "pb", "p", "so", "e")]
    forged += [Pick(c=cid, f="e", k="d7").pack(), Pick(c=cid, f="o", k="now").pack()]
    for data in forged:
        before, audit_before = await database_snapshot(rb), await audit_rows(rb)
        answer = await person.tap(anchor, data=data, check=False)
        assert answer.get("text") == unknown, data
        assert await database_snapshot(rb) == before, data
        new = (await audit_rows(rb))[len(audit_before) :]
        assert [(e["action"], e["target"]) for e in new] == [
            ("denied", "tap:" + data.split(":")[0])
        ]
    await person.silence(0.3)


async def test_forged_data_from_a_facilitator_changes_nothing(rb: RunningBot, cast: Cast) -> None:
    person = cast.facilitator
    anchor = await person.say("/consultations")
    for data in (
        Manage(c=999_999, a="o").pack(),
        Manage(c=999_999, a="xy").pack(),
        Pick(c=999_999, f="e", k="d7").pack(),
        Pick(c=999_999, f="c", k="w1").pack(),
        "cn:not-a-number:o",
        "cq:1",
        Manage(c=999_999, a="zz").pack(),
        Pick(c=999_999, f="o", k="zz").pack(),
    ):
        before = await database_snapshot(rb)
        answer = await person.tap(anchor, data=data, check=False)
        assert answer.get("text") in {
            translate("it", "cons-unknown"),
            translate("it", "cons-stale-button"),
        }, data
        assert await database_snapshot(rb) == before, data
