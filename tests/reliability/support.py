"""Shared pieces of the reliability tests: a ten-question survey and a database dump.

``TEN_TEXTS`` is a consultation of ten free-text questions, so that "10 answers" means ten
messages and each stored answer names the message it came from. ``load_ten_texts`` loads and
opens it (with a one-minute closing grace). ``normalised_dump`` reads every table into a form
that two runs of the same scenario can be compared in: surrogate ids replaced by the content
of the row they point to, timestamps and other volatile columns left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from storage.store import Storage
from storage.tables import metadata
from surveys.clock import SystemClock
from surveys.format import load_definition
from surveys.usecases.consultations import load_consultation
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.e2e.citizen_support import ChatMessage, Citizen, button, has_buttons

SLUG = "tentexts"
QUESTIONS = 10
GRACE_MINUTES = 1

_NOTICE = (
    "Data controller: test city. Purpose: reliability tests. Legal basis: consent. "
    "Retention: 30 days. Rights: /mydata and /delete. Contact: dpo@example.org."
)


def ten_texts_yaml(slug: str = SLUG) -> dict[str, Any]:
    both = {"it": "Domanda", "en": "Question"}
    return {
        "slug": slug,
        "project": "Reliability",
        "mode": "survey",
        "languages": ["it", "en"],
        "title": {"it": "Dieci testi", "en": "Ten texts"},
        "intro": {"it": "Dieci domande aperte.", "en": "Ten open questions."},
        "privacy_notice": {"it": _NOTICE, "en": _NOTICE},
        "results_note": {"it": "Risultati presto.", "en": "Results soon."},
        "retention_days": 30,
        "closing_grace_minutes": GRACE_MINUTES,
        "questions": [
            {
                "key": f"q{n}",
                "type": "free_text",
                "text": {k: f"{v} {n}" for k, v in both.items()},
            }
            for n in range(1, QUESTIONS + 1)
        ],
    }


async def load_ten_texts(storage: Storage, folder: Path, slug: str = SLUG) -> str:
    path = folder / f"{slug}.yaml"
    path.write_text(yaml.safe_dump(ten_texts_yaml(slug), allow_unicode=True), encoding="utf-8")
    result = await load_consultation(
        storage.uow, load_definition(path), SystemClock(), open_now=True
    )
    return result.slug


# --- comparing the database state of two runs -------------------------------------------------

# Bookkeeping that legitimately differs between two runs of the same conversation.
VOLATILE_TABLES = frozenset({"processed_updates", "leader_locks", "audit_log", "vector_cache"})
VOLATILE_COLUMNS = frozenset({"message_id", "chat_message_id", "progress_message_id"})


def _is_volatile(column: sa.Column[Any]) -> bool:
    return (
        column.name in VOLATILE_COLUMNS
        or isinstance(column.type, sa.DateTime)
        or (
            getattr(column.type, "impl", None) is not None
            and isinstance(column.type.impl, sa.DateTime)  # type: ignore[attr-defined]
        )
    )


async def normalised_dump(storage: Storage) -> dict[str, list[str]]:
    """Every non-volatile table as a sorted list of canonical rows.

    A foreign key is replaced by the canonical form of the row it references, so two runs
    whose rows were inserted in a different order (different ids) compare equal when they
    hold the same facts.
    """
    canonical: dict[str, dict[Any, str]] = {}
    dump: dict[str, list[str]] = {}
    async with storage.engine.connect() as connection:
        for table in metadata.sorted_tables:  # referenced tables come first
            rows = list((await connection.execute(table.select())).mappings())
            by_key: dict[Any, str] = {}
            texts: list[str] = []
            for row in rows:
                fields: dict[str, Any] = {}
                for column in table.columns:
                    if (column.primary_key and column.name == "id") or _is_volatile(column):
                        continue
                    value = row[column.name]
                    foreign = next(iter(column.foreign_keys), None)
                    if foreign is not None and value is not None:
                        target = foreign.column.table.name
                        value = canonical.get(target, {}).get(value, f"{target}#?")
                    fields[column.name] = value
                text = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
                texts.append(text)
                if "id" in table.c:
                    by_key[row["id"]] = text
            canonical[table.name] = by_key
            if table.name not in VOLATILE_TABLES:
                dump[table.name] = sorted(texts)
    return dump


# --- a citizen taking part in the ten-question survey --------------------------------------------


async def take_part(
    citizen: Citizen, slug: str = SLUG, *, patience: float = 15.0, repeats: bool = False
) -> None:
    """Join, answer the ten questions one message at a time, submit.

    ``patience``: seconds to wait for each reply (long under a deliberate overload: the tests
    count what is stored, never how fast). ``repeats``: the Bot API may lose responses, so a
    screen can arrive twice (sent, then shown again) and a message after the last commit may
    never arrive; the citizen then waits for the question it expects and does not wait for
    the thanks (the caller checks what was stored).
    """
    if repeats:
        await _take_part_with_repeats(citizen, slug, patience)
        return
    citizen.send(f"/start {slug}")
    consent = await citizen.read_until(has_buttons, patience)
    query = citizen.user.tap(consent, button(consent, "ok:")["callback_data"])
    await citizen.user.callback_answer(query, timeout=patience)
    await citizen.read(patience)  # consent given, with the withdraw button
    question = await citizen.read_until(has_buttons, patience)
    for n in range(1, QUESTIONS + 1):
        assert f" {n}/" in (question.text or ""), question.text
        citizen.send(answer_text(citizen, n))
        question = await citizen.read_until(has_buttons, patience)
    query = citizen.user.tap(question, button(question, "f:")["callback_data"])
    await citizen.user.callback_answer(query, timeout=patience)
    await citizen.read(patience)  # thanks, and the results note
    await citizen.read_until(has_buttons, patience)  # the offer to follow the project


async def _take_part_with_repeats(citizen: Citizen, slug: str, patience: float) -> None:
    def question(n: int) -> Any:
        return lambda message: has_buttons(message) and f" {n}/" in (message.text or "")

    def summary(message: ChatMessage) -> bool:
        return any(str(b.get("callback_data", "")).startswith("f:") for b in message.buttons)

    citizen.send(f"/start {slug}")
    consent = await citizen.read_until(
        lambda m: any(str(b.get("callback_data", "")).startswith("ok:") for b in m.buttons),
        patience,
    )
    query = citizen.user.tap(consent, button(consent, "ok:")["callback_data"])
    await citizen.user.callback_answer(query, timeout=patience)
    await citizen.read_until(question(1), patience)
    for n in range(1, QUESTIONS + 1):
        citizen.send(answer_text(citizen, n))
        screen = await citizen.read_until(question(n + 1) if n < QUESTIONS else summary, patience)
    query = citizen.user.tap(screen, button(screen, "f:")["callback_data"])
    await citizen.user.callback_answer(query, timeout=patience)


def answer_text(citizen: Citizen, n: int) -> str:
    return f"{citizen.user.record.first_name}: answer {n}"


# --- fresh databases of either dialect ------------------------------------------------------------


class Databases:
    """Hands out fresh, empty databases of one dialect and drops them afterwards."""

    def __init__(self, dialect: str, folder: Path) -> None:
        self.dialect = dialect
        self.folder = folder
        self._made: list[str] = []

    async def new(self) -> str:
        if self.dialect == "sqlite":
            url = f"sqlite+aiosqlite:///{self.folder / f'db{len(self._made)}.db'}"
        else:
            url = await create_postgres_database("ascolto_reliability")
        self._made.append(url)
        return url

    async def drop_all(self) -> None:
        if self.dialect == "postgresql":
            for url in self._made:
                await drop_postgres_database(url)
