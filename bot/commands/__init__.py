"""Sub-commands of ``ascolto``; add a module here and list it in COMMAND_MODULES."""

from __future__ import annotations

from types import ModuleType

from bot.commands import consultations, demo, report, run, survey, themes

COMMAND_MODULES: tuple[ModuleType, ...] = (run, survey, consultations, demo, themes, report)
