"""The results digest's use cases on SQLite and PostgreSQL.

Five people with different standing in a closed consultation: the audience is everyone who
took part and did not /stop (finished or not; not the withdrawn one), each gets their
language (others Italian), a batch is queued once however often Send is tapped, the
consultation is marked ``results_published``, and the action is audited once. An open
consultation, an analyst and a forged batch id queue nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from storage.store import Storage
from surveys.clock import FixedClock
from surveys.entities import ConsultationStatus, Role
from surveys.usecases.broadcasts import BroadcastQueued, new_batch_id
from surveys.usecases.digest import (
    DigestDraft,
    NotClosed,
    UnknownConsultation,
    digest_draft,
    publish_digest,
)
from surveys.usecases.staff import Actor, NotAllowed
from tests.integration.test_outbox import _people
from tests.integration.test_scheduler import make_consultation

NOON = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
TEXTS = {"it": "Avete detto… Cosa succede adesso…", "en": "You said… What happens next…"}
FACILITATOR = Actor(telegram_user_id=1, role=Role.FACILITATOR, staff_id=None)
ANALYST = Actor(telegram_user_id=2, role=Role.ANALYST, staff_id=None)


async def test_digest_goes_to_every_reachable_participant_once(storage: Storage) -> None:
    clock = FixedClock(NOON)
    consultation = await make_consultation(storage, clock, status=ConsultationStatus.OPEN)
    assert consultation.id is not None
    ids = await _people(storage, consultation.id)
    kwargs: dict[str, int | str] = {"min_group_size": 5, "timezone": "Europe/Rome"}

    early = await digest_draft(storage.uow, clock, FACILITATOR, "opencare", **kwargs)
    assert isinstance(early, NotClosed)
    batch = new_batch_id()
    refused = await publish_digest(
        storage.uow, clock, FACILITATOR, slug="opencare", batch=batch, texts=TEXTS
    )
    assert isinstance(refused, NotClosed)
    unknown = await digest_draft(storage.uow, clock, FACILITATOR, "nope", **kwargs)
    assert isinstance(unknown, UnknownConsultation)

    async with storage.uow() as uow:
        found = await uow.consultations.get(consultation.id)
        assert found is not None
        found.status = ConsultationStatus.CLOSED
        await uow.consultations.update(found)
        await uow.commit()
    draft = await digest_draft(storage.uow, clock, FACILITATOR, "opencare", **kwargs)
    assert isinstance(draft, DigestDraft)
    assert (draft.audience, dict(draft.by_language)) == (3, {"it": 1, "en": 1, "fr": 1})
    assert not draft.already_published and draft.themes == []
    assert isinstance(
        await digest_draft(storage.uow, clock, ANALYST, "opencare", **kwargs),
        NotAllowed,
    )

    for actor, forged in ((ANALYST, batch), (FACILITATOR, "not-a-broadcast-batch")):
        outcome = await publish_digest(
            storage.uow, clock, actor, slug="opencare", batch=forged, texts=TEXTS
        )
        assert isinstance(outcome, NotAllowed)
    first = await publish_digest(
        storage.uow, clock, FACILITATOR, slug="opencare", batch=batch, texts=TEXTS
    )
    again = await publish_digest(
        storage.uow, clock, FACILITATOR, slug="opencare", batch=batch, texts=TEXTS
    )
    assert isinstance(first, BroadcastQueued) and isinstance(again, BroadcastQueued)
    assert (first.audience_size, first.enqueued, again.enqueued) == (3, 3, 0)

    async with storage.uow() as uow:
        rows = {row.participant_id: row for row in await uow.outbox.due(clock.now(), 10)}
        published = await uow.consultations.get(consultation.id)
        audit = [e for e in await uow.audit.list(50) if e.action == "digest.published"]
    assert set(rows) == {ids["finished-it"], ids["started-en"], ids["started-fr"]}
    assert rows[ids["started-en"]].payload["text"] == TEXTS["en"]
    assert rows[ids["started-fr"]].payload["text"] == TEXTS["it"]
    assert published is not None and published.results_published
    assert len(audit) == 1 and audit[0].detail["recipients"] == 3
