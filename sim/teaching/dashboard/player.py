"""Playing a model for a class: stepping at a set pace, and one consistent view of the run so far.

Nothing here imports Solara: the page (``sim.teaching.dashboard.app``) drives a
:class:`Player` from its buttons and its play loop, and tests drive it directly.

Why a pace in days per second rather than a pause between frames: drawing a
frame (three figures and the event log) costs far more than simulating a day,
and what a frame costs depends on the machine and its load. A :class:`Pace`
turns elapsed wall-clock time into the days due, so a run plays at the speed the
teacher chose on any machine; a slower machine shows fewer, larger frames, not a
slower simulation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.teaching.dashboard.model import DashboardModel

# The speeds a teacher can set, in simulated days per second of wall-clock time.
MIN_SPEED, MAX_SPEED, DEFAULT_SPEED = 1, 120, 30
# Days simulated by one press of Step.
STEP_CHOICES = (1, 7, 30, 100)
DEFAULT_STEP = 7


class Pace:
    """Simulated days due at ``days_per_second`` since the clock started.

    Fractions of a day carry over from frame to frame, so that over any span the
    days stepped equal ``days_per_second`` times the seconds elapsed, rounded down.
    """

    def __init__(self, days_per_second: float, now: float) -> None:
        if not days_per_second > 0:
            raise ValueError(f"days_per_second={days_per_second!r}: must be > 0")
        self.days_per_second = float(days_per_second)
        self._last = now
        self._owed = 0.0

    def due(self, now: float, days_per_second: float | None = None) -> int:
        """Whole days due since the last call; ``days_per_second`` changes the speed from now on."""
        if days_per_second is not None and days_per_second > 0:
            self.days_per_second = float(days_per_second)
        self._owed += max(0.0, now - self._last) * self.days_per_second
        self._last = now
        # A hair of tolerance: 0.1 s at 30 days per second is 2.9999999999999996 days in floats.
        days = int(self._owed + 1e-9)
        self._owed -= days
        return days


@dataclass(frozen=True)
class Snapshot:
    """The run up to one day, as the page shows it: every view of a frame reads the same one."""

    day: int
    n_days: int
    steps: pd.DataFrame
    events: pd.DataFrame

    @property
    def finished(self) -> bool:
        return self.day >= self.n_days


class Player:
    """One model, stepped from the page's buttons and its play loop, read by the page's views.

    Stepping and reading hold one lock: the play loop steps the model in a thread
    of its own while the views read its tables in the server's.
    """

    def __init__(self, model: DashboardModel) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    @property
    def day(self) -> int:
        return self.model.day

    @property
    def n_days(self) -> int:
        return self.model.n_days

    @property
    def finished(self) -> bool:
        return self.model.day >= self.model.n_days

    def advance(self, days: int) -> int:
        """Simulate up to ``days`` more days, never past the scenario's end; return how many were simulated."""
        with self._lock:
            n = max(0, min(int(days), self.model.n_days - self.model.day))
            for _ in range(n):
                self.model.step()
            return n

    def snapshot(self) -> Snapshot:
        """The tables of the run so far (built once per simulated day, shared by every view)."""
        with self._lock:
            if self._snapshot is None or self._snapshot.day != self.model.day:
                self._snapshot = Snapshot(self.model.day, self.model.n_days,
                                          self.model.steps_so_far(), self.model.events_so_far())  # fmt: skip
            return self._snapshot


def play(
    player: Player,
    speed: Callable[[], float],
    keep_playing: Callable[[], bool],
    on_frame: Callable[[int, int], None],
    min_frame_s: float = 0.1,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Step ``player`` at ``speed()`` days per second until the end or until ``keep_playing()`` is false.

    Args:
        player: The model to play.
        speed: Read before every frame, so that the speed control works while playing.
        keep_playing: Read before every frame (the Pause button makes it false).
        on_frame: Called after each frame with the first and last day simulated in it
            (1-based, as the page counts days); the page redraws there.
        min_frame_s: The shortest time between frames, which leaves the server
            time to answer the buttons.
        clock, sleep: Wall-clock time and waiting (tests pass their own).
    """
    pace = Pace(speed(), clock())
    while keep_playing() and not player.finished:
        sleep(min_frame_s)
        if not keep_playing():
            return
        first = player.day + 1
        stepped = player.advance(pace.due(clock(), speed()))
        if stepped:
            on_frame(first, player.day)
