"""Staff roles end to end: the real bot on the emulator, over HTTP, on SQLite.

The role × action matrix: every staff command and the revoke button, tried by a citizen, a
facilitator, an analyst, a revoked staff member and an admin. Whoever lacks the role gets
exactly the reply of an unknown command (a tap: the same words), nothing changes in the
database, and the attempt is in the audit log. Invitations work once and expire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import BOT_COMMANDS
from dialogs.i18n import translate
from dialogs.staff.roles import RevokeStaff
from storage.tables import audit_log, invitations, staff
from surveys.definition import INVITATION_PREFIX
from tests.e2e.citizen_support import Citizen, RunningBot, running_bot
from tests.e2e.staff_support import Cast, assemble_cast, invite, language_of, staff_row

STAFF_COMMANDS = ("/invite facilitator", "/invite analyst", "/staff", "/whoami")


async def _snapshot(rb: RunningBot) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    staff_rows = sorted((dict(r) for r in await rb.rows(staff)), key=lambda r: r["id"])
    invitation_rows = sorted((dict(r) for r in await rb.rows(invitations)), key=lambda r: r["id"])
    return staff_rows, invitation_rows


async def _audit(rb: RunningBot) -> list[dict[str, Any]]:
    return sorted((dict(r) for r in await rb.rows(audit_log)), key=lambda r: r["id"])


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("staff") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        yield running


@pytest.fixture(scope="module")
async def cast(rb: RunningBot) -> Cast:
    return await assemble_cast(rb)


@pytest.mark.parametrize("persona", ["citizen", "facilitator", "analyst", "revoked"])
async def test_admin_commands_are_unknown_to_everyone_else(
    rb: RunningBot, cast: Cast, persona: str
) -> None:
    person: Citizen = getattr(cast, persona)
    unknown = translate(language_of(person), "unknown-command")
    # What any unknown command gets, to compare with.
    assert (await person.say("/nosuchcommand")).text == unknown
    for command in ("/invite facilitator", "/invite analyst", "/staff"):
        before, audit_before = await _snapshot(rb), await _audit(rb)
        reply = await person.say(command)
        assert reply.text == unknown and not reply.buttons, command
        assert await _snapshot(rb) == before, f"{persona} {command} changed staff/invitations"
        new = (await _audit(rb))[len(audit_before) :]
        assert [(e["action"], e["target"]) for e in new] == [("denied", command[1:].split()[0])]
        expected_actor = cast.staff_ids.get(persona)
        assert new[0]["actor_staff_id"] == expected_actor
        if persona == "citizen":
            assert str(person.user.id) not in repr(new[0]), "a citizen's Telegram id in the audit"
    await person.silence(0.3)


@pytest.mark.parametrize("persona", ["citizen", "facilitator", "analyst", "revoked"])
async def test_forged_revoke_taps_change_nothing(rb: RunningBot, cast: Cast, persona: str) -> None:
    person: Citizen = getattr(cast, persona)
    anchor = await person.say("/nosuchcommand")  # any bot message in their chat to tap on
    for target in (cast.staff_ids["facilitator"], cast.staff_ids["analyst"], 999_999):
        before, audit_before = await _snapshot(rb), await _audit(rb)
        forged = RevokeStaff(s=target).pack()
        answer = await person.tap(anchor, data=forged, check=False)
        assert answer.get("text") == translate(language_of(person), "unknown-command")
        assert await _snapshot(rb) == before
        new = (await _audit(rb))[len(audit_before) :]
        assert [(e["action"], e["target"]) for e in new] == [("denied", "tap:sr")]
    await person.silence(0.3)


async def test_whoami_shows_staff_their_role_and_is_unknown_otherwise(
    rb: RunningBot, cast: Cast
) -> None:
    for persona, role in (
        ("admin", "admin"),
        ("facilitator", "facilitator"),
        ("analyst", "analyst"),
    ):
        person: Citizen = getattr(cast, persona)
        language = language_of(person)
        reply = await person.say("/whoami")
        role_text = translate(language, f"role-{role}")
        assert reply.text == translate(language, "staff-whoami", {"role": role_text})
    for persona in ("citizen", "revoked"):
        person = getattr(cast, persona)
        audit_before = await _audit(rb)
        reply = await person.say("/whoami")
        assert reply.text == translate(language_of(person), "unknown-command")
        new = (await _audit(rb))[len(audit_before) :]
        assert [(e["action"], e["target"]) for e in new] == [("denied", "whoami")]


async def test_admin_lists_invites_and_forged_ids_change_nothing(
    rb: RunningBot, cast: Cast
) -> None:
    admin = cast.admin
    listing = await admin.say("/staff")
    text = listing.text or ""
    assert "Fabio Facilitatore" in text and "Anna Analyst" in text
    assert "Rita Revocata" not in text  # revoked
    datas = [str(b["callback_data"]) for b in listing.buttons]
    assert datas == [
        RevokeStaff(s=cast.staff_ids["facilitator"]).pack(),
        RevokeStaff(s=cast.staff_ids["analyst"]).pack(),
    ]
    assert all(len(d.encode()) <= 64 for d in datas)

    before = await _snapshot(rb)
    payload = await invite(admin, "analyst")
    staff_after, invitations_after = await _snapshot(rb)
    assert staff_after == before[0] and len(invitations_after) == len(before[1]) + 1
    assert invitations_after[-1]["token"] == payload[len(INVITATION_PREFIX) :]

    # A made-up staff id, an already revoked one and a malformed payload revoke nobody.
    for forged in (
        RevokeStaff(s=999_999).pack(),
        RevokeStaff(s=cast.staff_ids["revoked"]).pack(),
        "sr:not-a-number",
    ):
        before = await _snapshot(rb)
        answer = await admin.tap(listing, data=forged, check=False)
        assert answer.get("text") == translate("it", "staff-not-found")
        assert await _snapshot(rb) == before
    actions = [e["action"] for e in await _audit(rb)]
    assert actions.count("staff.revoke_failed") >= 3
    assert "invitation.created" in actions and "staff.listed" in actions
    await admin.silence(0.3)


async def test_invitations_work_once_and_expire(rb: RunningBot, cast: Cast) -> None:
    payload = await invite(cast.admin, "facilitator")
    first, second = rb.citizen("Primo", "it"), rb.citizen("Secondo", "en")
    assert (await first.say(f"/start {payload}")).text == translate(
        "it", "staff-invitation-accepted", {"role": translate("it", "role-facilitator")}
    )
    assert (await second.say(f"/start {payload}")).text == translate("en", "staff-invitation-used")
    assert await staff_row(rb, second) is None
    assert (await second.say("/start inv-madeuptoken")).text == translate(
        "en", "staff-invitation-unknown"
    )

    late_payload = await invite(cast.admin, "analyst")
    late = rb.citizen("Tardivo", "it")
    rb.clock.offset += timedelta(hours=72, minutes=1)
    try:
        reply = await late.say(f"/start {late_payload}")
    finally:
        rb.clock.offset -= timedelta(hours=72, minutes=1)
    assert reply.text == translate("it", "staff-invitation-expired")
    assert await staff_row(rb, late) is None
    refused = [e for e in await _audit(rb) if e["action"] == "invitation.refused"]
    assert {e["detail"]["problem"] for e in refused} >= {"used", "unknown", "expired"}
    assert all(e["actor_staff_id"] is None for e in refused)


async def test_staff_commands_stay_out_of_the_public_menu() -> None:
    assert not {"invite", "staff", "whoami"} & set(BOT_COMMANDS)


async def test_the_audit_never_names_a_citizen(rb: RunningBot, cast: Cast) -> None:
    await cast.citizen.say("/staff")
    rows = await _audit(rb)
    assert rows, "the audit log is written"
    assert all(str(cast.citizen.user.id) not in repr(row) for row in rows)
