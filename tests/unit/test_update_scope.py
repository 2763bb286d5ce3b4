"""The handlers' unit of work offers every repository the domain's ``UnitOfWork`` names.

A repository added to the port but not passed through ``UpdateUnitOfWork`` would only fail
when a handler first touched it, in production (it happened: ``/delete`` once raised
AttributeError on ``vectors``).
"""

from __future__ import annotations

import inspect

from bot.update_scope import UpdateUnitOfWork
from surveys.ports import UnitOfWork


def _properties(cls: type) -> set[str]:
    return {name for name, value in inspect.getmembers(cls) if isinstance(value, property)}


def test_every_repository_of_the_port_passes_through() -> None:
    wanted = _properties(UnitOfWork)
    assert {"answers", "themes", "vectors", "reports", "statements", "votes"} <= wanted
    assert wanted - _properties(UpdateUnitOfWork) == set()
