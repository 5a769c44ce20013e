"""Dialogue channels between a pair of governments, with their history."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ChannelStatus(str, Enum):
    OPEN = "open"
    SUSPENDED = "suspended"
    ABSENT = "absent"  # not founded yet (a scenario's channels_at_start)


@dataclass(slots=True)
class Suspension:
    """One spell of a suspended channel (``resumed_day`` is None while it lasts)."""

    channel: str
    suspended_day: int
    suspended_by: str
    suspension_signal: int | None
    resumed_day: int | None = None
    resumption_signal: int | None = None


class ChannelBoard:
    """The status of every dialogue channel between two governments.

    Args:
        pair: The two governments, in a fixed order (used in column names).
        channels: Channel names.
        absent: Channels that do not exist yet; :meth:`found` opens one.

    Attributes:
        history: Every suspension spell, in the order they began.
        founded: Day each channel absent at the start was founded (None while it is absent).
    """

    def __init__(self, pair: tuple[str, str], channels: tuple[str, ...], absent: tuple[str, ...] = ()) -> None:
        self.pair = pair
        self.channels = channels
        self._open = {c: c not in absent for c in channels}
        self._current: dict[str, Suspension] = {}
        self.history: list[Suspension] = []
        self.founded: dict[str, int | None] = dict.fromkeys(absent)

    def status(self, channel: str) -> ChannelStatus:
        if self._open[channel]:
            return ChannelStatus.OPEN
        return ChannelStatus.SUSPENDED if channel in self._current else ChannelStatus.ABSENT

    def is_open(self, channel: str) -> bool:
        return self._open[channel]

    def is_suspended(self, channel: str) -> bool:
        return channel in self._current

    def is_absent(self, channel: str) -> bool:
        return not self._open[channel] and channel not in self._current

    def open_channels(self) -> tuple[str, ...]:
        return tuple(c for c in self.channels if self._open[c])

    def suspended_channels(self) -> tuple[str, ...]:
        return tuple(c for c in self.channels if c in self._current)

    def found(self, channel: str, day: int) -> None:
        """Found an absent channel: it is open from ``day``."""
        if not self.is_absent(channel):
            raise RuntimeError(f"channel {channel} already exists")
        self._open[channel] = True
        self.founded[channel] = day

    def suspended_by(self, channel: str) -> str | None:
        spell = self._current.get(channel)
        return spell.suspended_by if spell else None

    def suspend(self, channel: str, day: int, by: str, signal_id: int | None) -> None:
        """Suspend an open channel (``signal_id`` None: suspended when the scenario starts)."""
        if not self._open[channel]:
            raise RuntimeError(f"channel {channel} is not open")
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
