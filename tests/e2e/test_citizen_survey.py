"""A citizen answers surveys on Telegram: the real bot on the emulator over HTTP, on SQLite.

Every example consultation completed in Italian and in English; the Opencare survey walked by
hand through every question type with Back, Skip, Edit and refused answers; stale and double
taps. One bot serves the whole module (aiogram's import and warm-up cost seconds); each test
uses its own simulated people.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import BOT_COMMANDS
from dialogs.i18n import translate
from surveys.rejections import Rejection, RejectionCode, explain
from tests.e2e.citizen_support import (
    Citizen,
    RunningBot,
    button,
    button_texts,
    complete,
    has_buttons,
    join,
    latest,
    participation_status,
    running_bot,
    stored_answers,
)

THANKS = {"it": "Grazie! Le tue risposte a", "en": "Thank you! Your answers to"}
EXAMPLES = {  # slug → its project, which the citizen is offered to follow
    "opencare": "Opencare",
    "openagri": "OpenAgri",
    "sharing-cities": "Sharing Cities",
    "mercati": "Mercati comunali coperti",
}


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("citizen") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        yield running


def data_for(message: object, prefix: str, last: int | str) -> str:
    """The callback data of this screen's ``prefix`` buttons with another last field."""
    template = str(button(message, prefix)["callback_data"])  # type: ignore[arg-type]
    return template.rsplit(":", 1)[0] + f":{last}"


# --- every example, both languages ------------------------------------------------------------


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("slug", sorted(EXAMPLES))
async def test_a_citizen_completes_each_example_consultation(
    rb: RunningBot, slug: str, language: str
) -> None:
    citizen = rb.citizen(f"{slug}-{language}", language)
    first = await join(citizen, slug)
    summary = await complete(citizen, first, language)
    answered = await stored_answers(rb, citizen, slug)
    assert answered, "answers are stored as they are given"
    # The summary lists one ✏️ per stored answer, in the citizen's language.
    edits = [b for b in summary.buttons if str(b["callback_data"]).startswith("e:")]
    assert len(edits) == len(answered)
    assert translate(language, "summary-title") in (summary.text or "")

    await citizen.tap(summary, data=button(summary, "f:")["callback_data"])
    thanks = await citizen.read()
    offer = await citizen.read()

    assert (thanks.text or "").startswith(THANKS[language])
    assert await participation_status(rb, citizen, slug) == "submitted"
    assert EXAMPLES[slug] in (offer.text or "")
    await citizen.tap(offer, data=button(offer, "fo:")["callback_data"])
    followed = await citizen.read()
    assert EXAMPLES[slug] in (followed.text or "")
    assert await stored_answers(rb, citizen, slug) == answered


# --- Opencare by hand: every question type, back, skip, edit, refusals -----------------------


async def _alert(citizen: Citizen, message: object, data: str) -> str:
    answer = await citizen.tap(message, data=data, check=False)  # type: ignore[arg-type]
    return str(answer.get("text") or "")


async def test_every_question_type_with_back_skip_edit_and_refusals(rb: RunningBot) -> None:
    it = "it"
    giulia = rb.citizen("Giulia", it)
    q = await join(giulia, "opencare")

    # location (districts): nine Municipio buttons
    assert [t for t in button_texts(q) if t.startswith("Municipio")] == [
        f"Municipio {n}" for n in range(1, 10)
    ]
    await giulia.tap(q, data=data_for(q, "a:", 2))
    # single choice: "I look after a relative"
    q = await giulia.read_until(has_buttons)
    assert "Quale frase ti descrive meglio?" in (q.text or "")
    await giulia.tap(q, data=data_for(q, "a:", 1))
    # number (optional, whole, 0–168): typed, validated with the reason
    q = await giulia.read_until(has_buttons)
    assert "ore alla settimana" in (q.text or "") and button(q, "s:")
    refused = await giulia.say("tante")
    assert refused.text == explain(Rejection(RejectionCode.NOT_AN_INTEGER), it)
    refused = await giulia.say("200")
    out_of_range = Rejection(RejectionCode.OUT_OF_RANGE, {"min": 0, "max": 168})
    assert refused.text == explain(out_of_range, it)
    giulia.user.send_text("12")
    # yes/no; Back returns to the number, which can be answered again
    q = await giulia.read_until(has_buttons)
    assert button_texts(q)[:2] == ["Sì", "No"]
    await giulia.tap(q, data=button(q, "b:")["callback_data"])
    q = await giulia.read_until(has_buttons)
    assert "ore alla settimana" in (q.text or "")
    giulia.user.send_text("10")
    q = await giulia.read_until(has_buttons)
    await giulia.tap(q, data=data_for(q, "a:", 1))
    # scale 0–10 with its end labels
    q = await giulia.read_until(has_buttons)
    assert "0 = Per niente soddisfatto/a" in (q.text or "")
    assert [t for t in button_texts(q) if t.isdigit()] == [str(n) for n in range(11)]
    await giulia.tap(q, data=data_for(q, "a:", 7))
    # multi choice, at most three: ticks, the fourth refused, Done records
    q = await giulia.read_until(has_buttons)
    empty_done = await _alert(giulia, q, button(q, "d:")["callback_data"])
    assert empty_done == explain(Rejection(RejectionCode.TOO_FEW_CHOICES, {"min": 1}), it)
    await giulia.tap(q, data=data_for(latest(giulia, q), "t:", 0))
    # A quick second tap lands on the keyboard as first drawn (no tick in its data): kept.
    await giulia.tap(q, data=data_for(q, "t:", 2), check=False)
    await giulia.tap(q, data=data_for(latest(giulia, q), "t:", 3))
    ticked = [t for t in button_texts(latest(giulia, q)) if t.startswith("✅")]
    assert len(ticked) == 3
    fourth = await _alert(giulia, q, data_for(latest(giulia, q), "t:", 4))
    assert fourth == translate(it, "too-many-ticks", {"count": 3})
    await giulia.tap(q, data=data_for(latest(giulia, q), "t:", 3))  # untick "meals"
    await giulia.tap(q, data=button(latest(giulia, q), "d:")["callback_data"])
    # optional single choice shown because of "health point": skipped
    q = await giulia.read_until(has_buttons)
    assert "punto salute" in (q.text or "")
    await giulia.tap(q, data=button(q, "s:")["callback_data"])
    # ranking: tap in order, undo the last, finish
    q = await giulia.read_until(has_buttons)
    await giulia.tap(q, data=data_for(q, "r:", 1))
    await giulia.tap(q, data=data_for(q, "r:", 0), check=False)  # from the stale keyboard
    assert "1. Sempre le stesse persone\n2. Vicino a casa" in (latest(giulia, q).text or "")
    await giulia.tap(q, data=button(latest(giulia, q), "u:")["callback_data"])
    assert "2. Vicino a casa" not in (latest(giulia, q).text or "")
    await giulia.tap(q, data=data_for(latest(giulia, q), "r:", 5))
    await giulia.tap(q, data=data_for(latest(giulia, q), "r:", 2))
    # labelled scale (Likert): 3 = neither agree nor disagree
    q = await giulia.read_until(has_buttons)
    assert button_texts(q)[2] == "3 · Né sì né no"
    await giulia.tap(q, data=data_for(q, "a:", 2))
    # free text, at least 10 characters
    q = await giulia.read_until(has_buttons)
    refused = await giulia.say("poco")
    assert refused.text == explain(Rejection(RejectionCode.TOO_SHORT, {"min": 10, "length": 4}), it)
    giulia.user.send_text("Una portineria di quartiere che conosce chi abita solo.")
    # location pin: a reply keyboard asks the client for a location
    q = await giulia.read_until(has_buttons)
    prompt = await giulia.read()
    assert prompt.reply_keyboard is not None
    wrong = await giulia.say("via Padova 1")
    assert wrong.text == translate(it, "need-location")
    await giulia.read()  # the question again
    await giulia.read()  # and its location button
    giulia.user.press(translate(it, "button-send-location"))
    assert (await giulia.read()).text == translate(it, "location-received")
    # free text shown because a place was sent
    q = await giulia.read_until(has_buttons)
    giulia.user.send_text("Il marciapiede è troppo stretto.")
    q = await giulia.read_until(has_buttons)
    giulia.user.send_text("Un gruppo di vicini che passa a trovare chi è solo, ogni settimana.")
    # optional yes/no: skipped → the summary
    q = await giulia.read_until(has_buttons)
    await giulia.tap(q, data=button(q, "s:")["callback_data"])
    summary = await giulia.read_until(has_buttons)
    assert "→ Municipio 3" in (summary.text or "")
    assert "→ Assisto un familiare o un amico" in (summary.text or "")
    assert "→ 1. Sempre le stesse persone, 2. Spazi senza barriere, 3. Orari flessibili" in (
        summary.text or ""
    )

    stored = await stored_answers(rb, giulia, "opencare")
    assert stored["municipio"] == {"district": "municipio_3"}
    assert stored["carer_hours"] == 10 and stored["carer_support"] is True
    assert stored["satisfaction"] == 7
    assert stored["services"] == ["home_care", "health_point"]
    assert stored["health_point_times"] is None and stored["workshop"] is None
    assert stored["priorities"] == ["same_people", "step_free", "flexible_hours"]
    assert stored["not_alone"] == 3
    assert set(stored["barrier_place"]) == {"lat", "lon"}

    # Edit from the summary: a new role hides the carer questions, whose answers go.
    await giulia.tap(summary, data=button(summary, "e:")["callback_data"].rsplit(":", 1)[0] + ":1")
    q = await giulia.read_until(has_buttons)
    assert "Quale frase ti descrive meglio?" in (q.text or "")
    await giulia.tap(q, data=data_for(q, "a:", 4))
    summary = await giulia.read_until(has_buttons)
    stored = await stored_answers(rb, giulia, "opencare")
    assert stored["role"] == "resident"
    assert "carer_hours" not in stored and "carer_support" not in stored
    # Back from the summary is the last question.
    await giulia.tap(summary, data=button(summary, "b:")["callback_data"])
    q = await giulia.read_until(has_buttons)
    assert "laboratorio" in (q.text or "")
    await giulia.tap(q, data=data_for(q, "a:", 1))
    summary = await giulia.read_until(has_buttons)
    await giulia.tap(summary, data=button(summary, "f:")["callback_data"])
    thanks = await giulia.read()
    assert "fine giugno 2026" in (thanks.text or "")  # the consultation's own results note
    assert (await stored_answers(rb, giulia, "opencare"))["workshop"] is True


# --- stale and double taps ----------------------------------------------------------------------


async def test_stale_and_double_taps_change_nothing(rb: RunningBot) -> None:
    tom = rb.citizen("Tom", "en")
    first = await join(tom, "opencare")
    municipio_3 = data_for(first, "a:", 2)
    await tom.tap(first, data=municipio_3)
    second = await tom.read_until(has_buttons)

    # The same button again (a double tap) and a district from the old keyboard: recorded.
    double = await tom.tap(first, data=municipio_3)
    old_other = await tom.tap(first, data=data_for(first, "a:", 6))
    assert double["text"] == translate("en", "already-recorded")
    assert old_other["text"] == translate("en", "already-recorded")
    # A button of another survey version (a tampered or very old client): the same.
    version = str(second.buttons[0]["callback_data"]).split(":")
    version[2] = str(int(version[2]) + 1)
    forged = await tom.tap(second, data=":".join(version), check=False)
    assert forged["text"] == translate("en", "already-recorded")
    # Skip and Back of an old screen too.
    old_back = await tom.tap(first, data=button(first, "b:")["callback_data"])
    assert old_back["text"] in (
        translate("en", "already-recorded"),
        translate("en", "first-question"),
    )
    await tom.silence()
    assert await stored_answers(rb, tom, "opencare") == {"municipio": {"district": "municipio_3"}}

    # After submitting, the summary's buttons say so and change nothing.
    summary = await complete(tom, second, "en")
    submit = button(summary, "f:")["callback_data"]
    await tom.tap(summary, data=submit)
    await tom.read()
    await tom.read()
    again = await tom.tap(summary, data=submit)
    assert again["text"] == translate("en", "already-submitted")
    assert await participation_status(rb, tom, "opencare") == "submitted"


async def test_taps_on_someone_elses_buttons_touch_only_your_own_survey(rb: RunningBot) -> None:
    anna, ben = rb.citizen("Anna", "it"), rb.citizen("Ben", "en")
    anna_first = await join(anna, "openagri")
    # Ben never joined: the same callback data from his client stores nothing for anyone.
    help_message = await ben.say("/help")
    ben_answer = await ben.tap(help_message, data=data_for(anna_first, "a:", 0), check=False)
    assert ben_answer["text"] == translate("en", "please-start")
    assert await stored_answers(rb, anna, "openagri") == {}


async def test_the_command_menu_lists_every_citizen_command_in_both_languages(
    rb: RunningBot,
) -> None:
    italian = rb.emulator.commands(language_code="it")
    english = rb.emulator.commands()
    assert [c["command"] for c in italian] == list(BOT_COMMANDS)
    assert [c["command"] for c in english] == list(BOT_COMMANDS)
    assert {"mydata", "delete", "stop", "follow", "idea", "lang"} <= set(BOT_COMMANDS)
    assert all(i["description"] != e["description"] for i, e in zip(italian, english, strict=True))
