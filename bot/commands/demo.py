"""``ascolto demo seed``: synthetic participants taking part in the example consultations.

For demos, reports and benchmarks. Participants go through the same use cases as citizens in
the chat (register, consent, start, answer, submit; ideas for listening consultations), so the
data obeys every rule the bot enforces. Most complete and submit, some stop half-way.

Each run *adds* participants: their pseudonyms are HMACs, under a fixed demo pepper, of fresh
random ids, so they never collide with earlier runs (nor, in practice, with real citizens,
whose pseudonyms use the secret pepper). They are marked unreachable so that no broadcast or
reminder ever tries to message the invented chats. ``--seed`` makes the answers repeatable,
not the ids.

Speed: many participants share one unit of work (a batch), because on SQLite every commit is
a disk sync and one commit per answer would take minutes for a few hundred participants.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import math
import random
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from bot.demo_texts import TextPool
    from surveys.definition import AnswerValue, Question, SurveyDefinition
    from surveys.ports import Clock, UnitOfWork, UnitOfWorkFactory

DEMO_PEPPER = b"ascolto-demo-participants"
BATCH_SIZE = 25
COMPLETION_RATE = 0.85
MILAN_BOX = ((45.40, 45.53), (9.07, 9.28))  # latitude, longitude bounds of the city

_TEXTS: dict[str, dict[str, str]] = {
    "loaded": {
        "en": "{slug}: loaded and opened for the demo",
        "it": "{slug}: caricata e aperta per la demo",
    },
    "opened": {"en": "{slug}: opened for the demo", "it": "{slug}: aperta per la demo"},
    "unknown_slug": {
        "en": "unknown consultation '{slug}' (examples: {slugs})",
        "it": "consultazione '{slug}' sconosciuta (esempi: {slugs})",
    },
    "per_consultation": {
        "en": "{slug}: {started} participations ({submitted} submitted), {answers} answers, "
        "{ideas} ideas",
        "it": "{slug}: {started} partecipazioni ({submitted} inviate), {answers} risposte, "
        "{ideas} idee",
    },
    "done": {
        "en": "{participants} participants added in {seconds:.1f} s ({texts})",
        "it": "{participants} partecipanti aggiunti in {seconds:.1f} s ({texts})",
    },
    "real_texts": {"en": "free text from public data sets", "it": "testi liberi da dati pubblici"},
    "sample_texts": {
        "en": "free text from the built-in sample",
        "it": "testi liberi dal campione interno",
    },
}


def _text(name: str, language: str, **params: object) -> str:
    texts = _TEXTS[name]
    return texts.get(language, texts["en"]).format(**params)


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser("demo", help="demo data")
    actions = demo.add_subparsers(dest="demo_command", required=True, metavar="ACTION")
    seed = actions.add_parser(
        "seed",
        help="add synthetic participants answering the example consultations",
        description="Add synthetic participants (consent, answers, ideas) to the example "
        "consultations of ASCOLTO_DATABASE_URL, loading and opening them first if needed. "
        "Running it again adds more participants.",
    )
    seed.add_argument("--participants", type=int, default=200, metavar="N", help="default 200")
    seed.add_argument("--slug", help="only this consultation (default: every example)")
    seed.add_argument("--seed", type=int, help="random seed for repeatable answers")
    seed.add_argument("--lang", choices=("en", "it"), default="en", help="language of the messages")
    seed.set_defaults(handler=seed_demo)


def seed_demo(args: argparse.Namespace) -> int:
    from bot.settings import load_settings

    if args.participants < 0:
        print("--participants must be 0 or more", file=sys.stderr)
        return 2
    url = load_settings().database_url
    return asyncio.run(_seed(url, args.participants, args.slug, args.seed, args.lang))


def examples_dir() -> Path:
    import surveys

    return Path(surveys.__file__).resolve().parent / "examples"


def example_definitions() -> dict[str, SurveyDefinition]:
    from surveys.format import load_definition

    definitions = (load_definition(path) for path in sorted(examples_dir().glob("*.yaml")))
    return {definition.slug: definition for definition in definitions}


@dataclass
class SeedReport:
    participants: int = 0
    started: dict[str, int] = field(default_factory=dict)
    submitted: dict[str, int] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    ideas: dict[str, int] = field(default_factory=dict)

    def count(self, table: dict[str, int], slug: str, n: int = 1) -> None:
        table[slug] = table.get(slug, 0) + n


async def _seed(url: str, participants: int, slug: str | None, seed: int | None, lang: str) -> int:
    from bot.demo_texts import TextPool, shared_data_dir
    from storage.schema import upgrade_schema
    from storage.store import Storage
    from surveys.clock import SystemClock

    examples = example_definitions()
    if slug is not None and slug not in examples:
        print(_text("unknown_slug", lang, slug=slug, slugs=", ".join(examples)), file=sys.stderr)
        return 2
    rng = random.Random(seed)
    pool = TextPool(rng, shared_data_dir())
    clock = SystemClock()
    await upgrade_schema(url)
    storage = Storage.open(url)
    try:
        targets = await ensure_open(storage.uow, clock, examples, slug, lang)
        started_at = time.perf_counter()  # the seeding itself, not the schema migration
        report = await seed_participants(storage.uow, clock, targets, participants, rng, pool)
    finally:
        await storage.close()
    for name in targets:
        print(
            _text(
                "per_consultation",
                lang,
                slug=name,
                started=report.started.get(name, 0),
                submitted=report.submitted.get(name, 0),
                answers=report.answers.get(name, 0),
                ideas=report.ideas.get(name, 0),
            )
        )
    seconds = time.perf_counter() - started_at
    texts = _text("real_texts" if pool.has_real_texts else "sample_texts", lang)
    print(_text("done", lang, participants=report.participants, seconds=seconds, texts=texts))
    return 0


async def ensure_open(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    examples: dict[str, SurveyDefinition],
    slug: str | None,
    lang: str = "en",
) -> dict[str, SurveyDefinition]:
    """Load the examples that are missing and open them; the definitions participants answer."""
    from surveys.usecases import list_open_consultations, load_consultation, open_consultation

    wanted = [slug] if slug is not None else sorted(examples)
    already_open = {
        item.consultation.slug: item.definition
        for item in await list_open_consultations(uow_factory, clock)
    }
    async with uow_factory() as uow:
        existing = {name: await uow.consultations.get_by_slug(name) for name in wanted}
    for name in wanted:
        if name in already_open:
            continue
        if existing[name] is None:
            await load_consultation(uow_factory, examples[name], clock, open_now=True)
            print(_text("loaded", lang, slug=name))
        else:
            await open_consultation(uow_factory, clock, name)
            print(_text("opened", lang, slug=name))
    opened = {
        item.consultation.slug: item.definition
        for item in await list_open_consultations(uow_factory, clock)
    }
    missing = [name for name in wanted if name not in opened]
    if missing:  # opening drops a past closing time, so only a bug gets here
        raise RuntimeError(f"could not open {', '.join(missing)} for the demo")
    return {name: opened[name] for name in wanted}


class _CachedConsultations:
    """Consultation reads served from memory during a batch: nothing changes them meanwhile,
    and a survey version is immutable anyway. Saves a third of the statements of an answer."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._by_id: dict[int, Any] = {}
        self._versions: dict[tuple[int, int], Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def get(self, consultation_id: int) -> Any:
        if consultation_id not in self._by_id:
            self._by_id[consultation_id] = await self._inner.get(consultation_id)
        return copy.copy(self._by_id[consultation_id])

    async def get_version(self, consultation_id: int, number: int) -> Any:
        key = (consultation_id, number)
        if key not in self._versions:
            self._versions[key] = await self._inner.get_version(consultation_id, number)
        return self._versions[key]


class _CachedParticipations:
    """Write-through cache: the batch is the only writer of its brand-new participations."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._rows: dict[int, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def get(self, participation_id: int) -> Any:
        if participation_id not in self._rows:
            self._rows[participation_id] = await self._inner.get(participation_id)
        return copy.copy(self._rows[participation_id])

    async def add(self, participation: Any) -> Any:
        added = await self._inner.add(participation)
        self._rows[added.id] = copy.copy(added)
        return added

    async def update(self, participation: Any) -> None:
        await self._inner.update(participation)
        self._rows[participation.id] = copy.copy(participation)


class _CachedAnswers:
    """Write-through cache of the batch's answers, for the same reason."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._rows: dict[int, dict[str, Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def for_participation(self, participation_id: int) -> list[Any]:
        if participation_id not in self._rows:
            found = await self._inner.for_participation(participation_id)
            self._rows[participation_id] = {answer.question_key: answer for answer in found}
        return [copy.deepcopy(answer) for answer in self._rows[participation_id].values()]

    async def put(self, answer: Any) -> None:
        await self._inner.put(answer)
        self._rows.setdefault(answer.participation_id, {})[answer.question_key] = copy.deepcopy(
            answer
        )

    async def delete(self, participation_id: int, question_keys: Any) -> None:
        await self._inner.delete(participation_id, question_keys)
        for key in question_keys:
            self._rows.get(participation_id, {}).pop(key, None)


class SharedUnitOfWork:
    """Lets many use cases run inside one real unit of work (one transaction per batch).

    Entering and committing are no-ops; the batch commits once at the end. Sound here because
    the use cases write nothing when they refuse, so there is never a partial write to undo;
    an exception still rolls the whole batch back. Reads are cached (demo seeding only): no
    status change or new version happens during a batch, and the batch is the only writer of
    its new participants' rows, so the cache always says what the database would. Without it
    every answer costs six statements; with it, two.
    """

    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner
        self.consultations = _CachedConsultations(inner.consultations)
        self.participations = _CachedParticipations(inner.participations)
        self.answers = _CachedAnswers(inner.answers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        return None

    async def rollback(self) -> None:
        return None


async def seed_participants(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    targets: dict[str, SurveyDefinition],
    participants: int,
    rng: random.Random,
    pool: TextPool,
) -> SeedReport:
    report = SeedReport()
    for start in range(0, participants, BATCH_SIZE):
        async with uow_factory() as uow:
            shared = SharedUnitOfWork(uow)

            def in_batch(shared: SharedUnitOfWork = shared) -> SharedUnitOfWork:
                return shared

            for _ in range(min(BATCH_SIZE, participants - start)):
                await _one_participant(in_batch, clock, targets, rng, pool, report)
            await uow.commit()
    return report


async def _one_participant(
    uow_factory: Any,
    clock: Clock,
    targets: dict[str, SurveyDefinition],
    rng: random.Random,
    pool: TextPool,
    report: SeedReport,
) -> None:
    from surveys import usecases
    from surveys.pseudonyms import pseudonym
    from surveys.usecases import outcomes

    telegram_id = secrets.randbits(62)  # fresh every run, whatever --seed says
    language = "it" if rng.random() < 0.7 else "en"
    registered = await usecases.register_participant(
        uow_factory, clock, pseudonym(DEMO_PEPPER, telegram_id), language, telegram_id
    )
    participant = registered.participant
    assert participant.id is not None
    async with uow_factory() as uow:
        participant.unreachable = True  # invented chats: never message them
        await uow.participants.update(participant)
    report.participants += 1
    # Most people take part in one consultation, some in two: like a city, and it keeps a
    # seed of a few hundred participants within seconds.
    chosen = rng.sample(list(targets), min(len(targets), 1 if rng.random() < 0.6 else 2))
    for slug in chosen:
        definition = targets[slug]
        consent = await usecases.give_consent(
            uow_factory, clock, participant.id, slug, usecases.notice_version(definition)
        )
        if not isinstance(consent, outcomes.ConsentGiven):
            continue
        report.count(report.started, slug)
        started = await usecases.start_participation(uow_factory, clock, participant.id, slug)
        if not isinstance(started, outcomes.Started):
            continue
        position = started.position
        participation_id = position.participation.id
        assert participation_id is not None
        stop_after = math.inf if rng.random() < COMPLETION_RATE else rng.randint(1, 6)
        answered = 0
        while position.question is not None and answered < stop_after:
            question = position.question
            value = choose_answer(question, language, rng, pool)
            outcome = await usecases.record_answer(
                uow_factory,
                clock,
                participation_id,
                question.key,
                position.participation.version,
                value,
            )
            if not isinstance(outcome, outcomes.Accepted):
                raise RuntimeError(f"demo answer refused for {slug}/{question.key}: {outcome}")
            position = outcome.position
            answered += 1
        report.count(report.answers, slug, answered)
        if position.at_summary:
            submitted = await usecases.submit(uow_factory, clock, participation_id)
            if isinstance(submitted, outcomes.Submitted):
                report.count(report.submitted, slug)
        if definition.mode.value == "listening":
            for _ in range(rng.randint(1, 3)):
                idea = await usecases.record_idea(
                    uow_factory, clock, participant.id, slug, pool.text(language, 10, 600), language
                )
                if isinstance(idea, outcomes.IdeaRecorded):
                    report.count(report.ideas, slug)


def choose_answer(
    question: Question, language: str, rng: random.Random, pool: TextPool
) -> AnswerValue | None:
    """A valid answer to any question type; optional questions are sometimes skipped."""
    from surveys import engine
    from surveys.definition import LocationMode, QuestionType

    kind = question.type
    if not question.required and rng.random() < (0.3 if kind is QuestionType.FREE_TEXT else 0.1):
        return None
    values = list(question.option_values)
    if kind is QuestionType.SINGLE_CHOICE:
        return rng.choice(values)
    if kind is QuestionType.MULTI_CHOICE:
        low, high = engine.choice_limits(question)
        return rng.sample(values, rng.randint(low, high))
    if kind is QuestionType.RANKING:
        return rng.sample(values, engine.ranking_length(question))
    if kind is QuestionType.SCALE:
        low, high = engine.scale_range(question)
        return round(rng.triangular(low, high, low + (high - low) * 0.65))
    if kind is QuestionType.NUMBER:
        bottom = question.min if question.min is not None else 0.0
        top = question.max if question.max is not None else bottom + 100
        number = rng.triangular(
            bottom, top, bottom + (top - bottom) * 0.1
        )  # most give small numbers
        return (
            max(math.ceil(bottom), min(math.floor(top), round(number)))
            if question.integer
            else min(top, max(bottom, round(number, 1)))
        )
    if kind is QuestionType.YES_NO:
        return rng.random() < 0.6
    if kind is QuestionType.FREE_TEXT:
        low, high = engine.text_limits(question)
        return pool.text(language, low, high)
    mode = engine.location_mode(question)
    if mode is LocationMode.PIN or (mode is LocationMode.BOTH and rng.random() < 0.5):
        (lat_low, lat_high), (lon_low, lon_high) = MILAN_BOX
        return {
            "lat": round(rng.uniform(lat_low, lat_high), 5),
            "lon": round(rng.uniform(lon_low, lon_high), 5),
        }
    return {"district": rng.choice(engine.district_options(question)).value}
