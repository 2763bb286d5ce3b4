"""The whole role × action matrix, read from the registry in ``dialogs.staff.roles``.

Every staff command any module registers, and a forged tap on every staff button prefix, tried
by everyone the command is not for (a citizen, a revoked facilitator, and an analyst for the
facilitators' commands): the reply is exactly what an unknown command gets, no table changes,
and exactly one denial is audited. A new staff command is covered here the moment its module
names it in the registry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dialogs.i18n import translate
from dialogs.staff.roles import STAFF_CALLBACK_PREFIXES, roles_for_command, staff_only_commands
from surveys.entities import Role
from tests.e2e.citizen_support import Citizen, RunningBot, running_bot
from tests.e2e.staff_support import (
    Cast,
    assemble_cast,
    audit_rows,
    database_snapshot,
    language_of,
)

PERSONA_ROLES: dict[str, Role | None] = {
    "citizen": None,
    "revoked": None,
    "analyst": Role.ANALYST,
    "facilitator": Role.FACILITATOR,
}
# Arguments a real attempt would carry: a real slug, a forged id, nothing.
ARGUMENTS = ("", " opencare", " 1")


@pytest.fixture(scope="module")
async def rb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    path: Path = tmp_path_factory.mktemp("matrix") / "bot.db"
    async with running_bot(f"sqlite+aiosqlite:///{path}") as running:
        running.lift_flood_limit()  # one person sends every staff command in a few seconds
        yield running


@pytest.fixture(scope="module")
async def cast(rb: RunningBot) -> Cast:
    return await assemble_cast(rb)


def _denied(persona: str, command: str) -> bool:
    role = PERSONA_ROLES[persona]
    return role is None or role not in roles_for_command(command)


def test_every_registered_command_has_its_roles() -> None:
    commands = staff_only_commands()
    assert len(set(commands)) == len(commands), "a command registered twice"
    for command in commands:
        assert roles_for_command(command) >= {Role.ADMIN}, command


@pytest.mark.parametrize("persona", list(PERSONA_ROLES))
async def test_commands_without_the_role_are_unknown_and_change_nothing(
    rb: RunningBot, cast: Cast, persona: str
) -> None:
    person: Citizen = getattr(cast, persona)
    unknown = translate(language_of(person), "unknown-command")
    assert (await person.say("/nosuchcommand")).text == unknown
    denied = [command for command in staff_only_commands() if _denied(persona, command)]
    if persona in {"citizen", "revoked"}:
        assert denied == list(staff_only_commands())
    for command in denied:
        for argument in ARGUMENTS:
            text = f"/{command}{argument}"
            before, audit_before = await database_snapshot(rb), await audit_rows(rb)
            reply = await person.say(text)
            assert reply.text == unknown and not reply.buttons, f"{persona}: {text}"
            assert await database_snapshot(rb) == before, f"{persona}: {text} changed data"
            new = (await audit_rows(rb))[len(audit_before) :]
            assert [(e["action"], e["target"]) for e in new] == [("denied", command)], text
            if persona == "citizen":
                assert str(person.user.id) not in repr(new), "a citizen's id in the audit"
    await person.silence(0.3)


@pytest.mark.parametrize("persona", ["citizen", "revoked"])
async def test_forged_taps_on_every_staff_button_change_nothing(
    rb: RunningBot, cast: Cast, persona: str
) -> None:
    person: Citizen = getattr(cast, persona)
    unknown = translate(language_of(person), "unknown-command")
    anchor = await person.say("/nosuchcommand")  # any bot message in their chat to tap on
    for prefix in STAFF_CALLBACK_PREFIXES:
        for tail in ("1", "opencare", "1:1:1", "x" * 40):
            data = (prefix + tail)[:64]
            before, audit_before = await database_snapshot(rb), await audit_rows(rb)
            answer = await person.tap(anchor, data=data, check=False)
            assert answer.get("text") == unknown, data
            assert await database_snapshot(rb) == before, f"{persona}: {data} changed data"
            new = (await audit_rows(rb))[len(audit_before) :]
            kind = prefix.split(":", 1)[0]
            assert [(e["action"], e["target"]) for e in new] == [("denied", f"tap:{kind}")]
    await person.silence(0.3)
