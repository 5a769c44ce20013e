"""Dialogue channels between a pair of governments, with their history."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ChannelStatus(str, Enum):
    OPEN = "open"
    SUSPENDED = "suspended"


@dataclass(slots=True)
class Suspension:
    """One spell of a suspended channel (``resumed_day`` is None while it lasts)."""

    channel: str
    suspended_day: int
    suspended_by: str
    suspension_signal: int
    resumed_day: int | None = None
    resumption_signal: int | None = None


class ChannelBoard:
    """The status of every dialogue channel between two governments.

    Args:
        pair: The two governments, in a fixed order (used in column names).
        channels: Channel names.
    """

    def __init__(self, pair: tuple[str, str], channels: tuple[str, ...]) -> None:
        self.pair = pair
        self.channels = channels
        self._open = dict.fromkeys(channels, True)
        self._current: dict[str, Suspension] = {}
        self.history: list[Suspension] = []

    def status(self, channel: str) -> ChannelStatus:
        return ChannelStatus.OPEN if self._open[channel] else ChannelStatus.SUSPENDED

    def is_open(self, channel: str) -> bool:
        return self._open[channel]

    def open_channels(self) -> tuple[str, ...]:
        return tuple(c for c in self.channels if self._open[c])

    def suspended_channels(self) -> tuple[str, ...]:
        return tuple(c for c in self.channels if not self._open[c])

    def suspended_by(self, channel: str) -> str | None:
        spell = self._current.get(channel)
        return spell.suspended_by if spell else None

    def suspend(self, channel: str, day: int, by: str, signal_id: int) -> None:
        if not self._open[channel]:
            raise RuntimeError(f"channel {channel} is already suspended")
        spell = Suspension(channel, day, by, signal_id)
        self._open[channel] = False
        self._current[channel] = spell
        self.history.append(spell)

    def resume(self, channel: str, day: int, signal_id: int) -> Suspension:
        spell = self._current.pop(channel)
        spell.resumed_day = day
        spell.resumption_signal = signal_id
        self._open[channel] = True
        return spell
