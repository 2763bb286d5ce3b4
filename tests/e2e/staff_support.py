"""Support for the staff end-to-end tests: the cast of the role matrix, made through the chat.

``assemble_cast`` makes an admin (by configuration), a facilitator and an analyst (by
invitation), a revoked facilitator (invited, then revoked with the button of ``/staff``) and a
citizen, exactly as people would, and checks each step.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dialogs.i18n import translate
from dialogs.staff.roles import RevokeStaff
from storage.tables import metadata, staff
from surveys.definition import INVITATION_PREFIX
from tests.e2e.citizen_support import Citizen, RunningBot, button

# Rows that change by themselves while a bot runs, whatever anyone sends.
_VOLATILE_TABLES = frozenset({"audit_log", "processed_updates", "leader_locks", "schedule_items"})


class Cast:
    """Everyone of the matrix, with their staff row ids once they joined."""

    def __init__(self, rb: RunningBot) -> None:
        self.admin = rb.citizen("Ada Admin", "it")
        self.facilitator = rb.citizen("Fabio Facilitatore", "it")
        self.analyst = rb.citizen("Anna Analyst", "en")
        self.revoked = rb.citizen("Rita Revocata", "it")
        self.citizen = rb.citizen("Carla Cittadina", "it")
        self.staff_ids: dict[str, int] = {}


def language_of(person: Citizen) -> str:
    return person.user.record.language_code or "it"


async def invite(admin: Citizen, role: str) -> str:
    """The deep-link payload of a fresh invitation, from the admin's ``/invite``."""
    reply = await admin.say(f"/invite {role}")
    text = reply.text or ""
    assert "https://t.me/ascolto_sandbox_bot?start=" + INVITATION_PREFIX in text, text
    link = next(word for word in text.split() if word.startswith("https://t.me/"))
    payload = link.split("?start=", 1)[1]
    assert len(payload) <= 64
    return payload


async def staff_row(rb: RunningBot, person: Citizen) -> dict[str, Any] | None:
    rows = [row for row in await rb.rows(staff) if row["telegram_user_id"] == person.user.id]
    return dict(rows[0]) if rows else None


async def assemble_cast(rb: RunningBot) -> Cast:
    people = Cast(rb)
    rb.app.dispatcher["admin_ids"] = frozenset({people.admin.user.id})
    for person, role in (
        (people.facilitator, "facilitator"),
        (people.analyst, "analyst"),
        (people.revoked, "facilitator"),
    ):
        payload = await invite(people.admin, role)
        welcome = await person.say(f"/start {payload}")
        role_text = translate(language_of(person), f"role-{role}")
        assert welcome.text == translate(
            language_of(person), "staff-invitation-accepted", {"role": role_text}
        )
        row = await staff_row(rb, person)
        assert row is not None and row["role"] == role and row["revoked_at"] is None
        people.staff_ids[role if person is not people.revoked else "revoked"] = row["id"]
    # The admin revokes Rita with the button of /staff.
    listing = await people.admin.say("/staff")
    revoke = button(listing, RevokeStaff(s=people.staff_ids["revoked"]).pack())
    answer = await people.admin.tap(listing, data=revoke["callback_data"])
    assert answer["text"] == translate("it", "staff-revoked", {"name": "Rita Revocata"})
    await people.admin.read()  # the confirmation message
    row = await staff_row(rb, people.revoked)
    assert row is not None and row["revoked_at"] is not None
    return people


async def database_snapshot(rb: RunningBot) -> dict[str, list[dict[str, Any]]]:
    """Every table but the ones that change by themselves, as sorted lists of rows."""
    snapshot = {}
    async with rb.storage.engine.connect() as connection:
        for name, table in metadata.tables.items():
            if name in _VOLATILE_TABLES:
                continue
            rows = (await connection.execute(sa.select(table))).mappings()
            snapshot[name] = sorted((dict(row) for row in rows), key=repr)
    return snapshot


async def audit_rows(rb: RunningBot) -> list[dict[str, Any]]:
    from storage.tables import audit_log

    return sorted((dict(r) for r in await rb.rows(audit_log)), key=lambda r: r["id"])
