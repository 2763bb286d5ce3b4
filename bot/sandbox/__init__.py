"""The Bot API sandbox: a faithful Telegram Bot API emulator and its simulated users.

Used by ``ascolto run`` without a token, by the end-to-end tests and by chaos/load benchmarks.
"""

from bot.sandbox.emulator import DEFAULT_TOKEN, BotApiEmulator
from bot.sandbox.errors import ApiError
from bot.sandbox.faults import Counters, FaultConfig, RateLimits
from bot.sandbox.params import LoggedRequest
from bot.sandbox.state import ChatMessage, ChatRecord
from bot.sandbox.users import SimulatedUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiEmulator",
    "ChatMessage",
    "ChatRecord",
    "Counters",
    "FaultConfig",
    "LoggedRequest",
    "RateLimits",
    "SimulatedUser",
]
