"""What the documented timeline says the model should reproduce.

Everything here is derived from the timeline (``sim.history.timeline.load_timeline``)
by explicit rules, so the comparison names no episode and hard-codes no
documented date:

* the lags from each episode's trigger to China's first response, to each
  channel it suspended and to each meeting it refused (:func:`lag_measures`);
* the documented status of every channel, day by day (:func:`documented_spells`);
* the thaw summits after which channels reopened (:func:`thaw_summits`);
* the tenures of officials the rival sanctions (:func:`sanctioned_tenures`).

Things are named from the timeline's episode tags: ``E2022_PELOSI`` becomes
``pelosi`` (:func:`short_name`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

# A spell of a channel ends at the first later row on that channel of one of
# these kinds: the channel was demonstrably in use again.
REOPENING_KINDS = ("channel_resumption", "ministerial_meeting", "working_group", "leader_summit", "high_level_visit")
GOVERNMENTS = ("USA", "CHN")
RESPONDER = "CHN"
RIVAL = "USA"
# A simulated response counts if it comes within the measure's window after the trigger:
# MIN_WINDOW_DAYS, or WINDOW_FACTOR times the documented lag if that is longer.
MIN_WINDOW_DAYS = 60
WINDOW_FACTOR = 1.5


@dataclass(frozen=True)
class LagMeasure:
    """A lag from an episode's trigger to one kind of Chinese response.

    Attributes:
        name: Short name used in reports: ``<episode>_first_response``,
            ``<episode>_suspends_<channel>`` or ``<episode>_refuses_<channel>``.
        episode: Episode tag in the timeline.
        what: ``first_response`` (China's first answer of any kind),
            ``suspension`` (first suspension of ``channel``) or ``refusal``
            (first refused meeting on ``channel``).
        channel: The channel, for suspensions and refusals.
        window_days: How long after the trigger a simulated response counts (:func:`lag_window`).
    """

    name: str
    episode: str
    what: str
    channel: str = ""
    window_days: int = 60


@dataclass(frozen=True)
class Trigger:
    """An episode's trigger as documented."""

    episode: str
    date: pd.Timestamp
    sender: str
    receiver: str
    kind: str


def sure(timeline: pd.DataFrame) -> pd.DataFrame:
    """The rows of high or medium confidence: no target is derived from a row of low confidence."""
    return timeline[timeline["confidence"] != "low"]


def triggers(timeline: pd.DataFrame) -> dict[str, Trigger]:
    """The first row tagged ``trigger`` of each episode (rows of low confidence ignored)."""
    rows = sure(timeline)
    rows = rows[rows["role"] == "trigger"].drop_duplicates("episode")
    return {
        r.episode: Trigger(r.episode, pd.Timestamp(r.date), r.sender, r.receiver, r.kind)
        for r in rows.itertuples(index=False)
    }


def documented_lag(timeline: pd.DataFrame, m: LagMeasure) -> float | None:
    """Days from the episode's trigger to the documented response ``m`` (None if undocumented)."""
    trig = triggers(timeline).get(m.episode)
    if trig is None:
        return None
    t = sure(timeline)
    rows = t[(t["episode"] == m.episode) & (t["sender"] == RESPONDER)]
    rows = rows[rows["date"] >= trig.date]
    if m.what == "first_response":
        rows = rows[rows["role"] == "response"]
    elif m.what == "suspension":
        rows = rows[(rows["kind"] == "channel_suspension") & (rows["channel"] == m.channel)]
    elif m.what == "refusal":
        rows = rows[(rows["kind"] == "meeting_rejection") & (rows["channel"] == m.channel)]
    else:
        raise ValueError(f"unknown lag measure {m.what!r}")
    return None if rows.empty else float((rows["date"].min() - trig.date).days)


def short_name(episode: str) -> str:
    """An episode tag as used in names: lower case, without its ``E<year>_`` prefix (``E2022_PELOSI``: ``pelosi``)."""
    return re.sub(r"^E\d{4}_", "", episode).lower()


def lag_window(documented: float | None) -> int:
    """Days after a trigger a simulated response counts: :data:`MIN_WINDOW_DAYS`, or
    :data:`WINDOW_FACTOR` times the documented lag if that is longer."""
    return max(MIN_WINDOW_DAYS, math.ceil(WINDOW_FACTOR * (documented or 0.0)))


_WHATS = (("first_response", "first_response"), ("suspension", "suspends"), ("refusal", "refuses"))


def lag_measures(timeline: pd.DataFrame) -> tuple[LagMeasure, ...]:
    """The lags a timeline documents: for each episode's trigger (in date order), China's first
    response, each channel it suspended and each channel on which it refused a meeting.

    Measures with no documented row are left out; so is the first response to China's own
    internal act (a trigger from and to :data:`RESPONDER`, such as an appointment): nothing
    answers it, and what follows it is measured by the suspensions and refusals. Each measure
    gets the window of :func:`lag_window`.
    """
    out: list[LagMeasure] = []
    t = sure(timeline)
    for trig in sorted(triggers(timeline).values(), key=lambda x: x.date):
        rows = t[(t["episode"] == trig.episode) & (t["sender"] == RESPONDER)]
        rows = rows[(rows["date"] >= trig.date) & (rows["channel"] != "")].sort_values("date", kind="stable")
        channels = {
            "first_response": [] if trig.sender == trig.receiver == RESPONDER else [""],
            "suspension": list(dict.fromkeys(rows.loc[rows["kind"] == "channel_suspension", "channel"])),
            "refusal": list(dict.fromkeys(rows.loc[rows["kind"] == "meeting_rejection", "channel"])),
        }
        for what, verb in _WHATS:
            for channel in channels[what]:
                name = f"{short_name(trig.episode)}_{verb}" + (f"_{channel}" if channel else "")
                m = LagMeasure(name, trig.episode, what, channel)
                documented = documented_lag(timeline, m)
                if documented is not None:
                    out.append(LagMeasure(name, trig.episode, what, channel, lag_window(documented)))
    return tuple(out)


@dataclass(frozen=True)
class Spell:
    """A documented spell of a suspended channel (``end`` None: still suspended at the timeline's end)."""

    channel: str
    start: pd.Timestamp
    end: pd.Timestamp | None


def documented_spells(timeline: pd.DataFrame) -> list[Spell]:
    """The documented suspensions of each US-China channel, by explicit rules.

    A spell starts at a ``channel_suspension`` between the two governments,
    or at a refused meeting on a channel for which a later
    ``channel_resumption`` is documented (the channel was shut de facto, as
    the defence ministers' channel was from the balloon to April 2024). It
    ends at the first later row showing the channel in use again (a
    resumption, a meeting, a working group, a visit). Rows of low confidence
    are ignored. Overlapping spells of one channel are merged.
    """
    t = sure(timeline)
    t = t[t["channel"] != ""]
    t = t[t["sender"].isin(GOVERNMENTS) & t["receiver"].isin(GOVERNMENTS) & (t["sender"] != t["receiver"])]
    spells: list[Spell] = []
    for channel, rows in t.groupby("channel", sort=True):
        resumptions = rows.loc[rows["kind"] == "channel_resumption", "date"]
        is_start = rows["kind"] == "channel_suspension"
        if not resumptions.empty:
            is_start |= (rows["kind"] == "meeting_rejection") & (rows["date"] < resumptions.max())
        reopen = rows.loc[rows["kind"].isin(REOPENING_KINDS), "date"].sort_values()
        for start in sorted(rows.loc[is_start, "date"]):
            if spells and spells[-1].channel == channel and (spells[-1].end is None or spells[-1].end > start):
                continue  # inside the previous spell
            later = reopen[reopen > start]
            spells.append(Spell(str(channel), pd.Timestamp(start), None if later.empty else pd.Timestamp(later.iloc[0])))
    return spells


def documented_status(spells: list[Spell], channel: str, dates: pd.DatetimeIndex) -> np.ndarray:
    """Boolean array over ``dates``: True where the channel is documented suspended."""
    out = np.zeros(len(dates), dtype=bool)
    values = dates.to_numpy()
    for s in spells:
        if s.channel == channel:
            mask = values >= s.start.to_datetime64()
            if s.end is not None:
                mask &= values < s.end.to_datetime64()
            out |= mask
    return out


@dataclass(frozen=True)
class Summit:
    """A leader summit tagged as a thaw of ``episode``."""

    date: pd.Timestamp
    episode: str

    @property
    def name(self) -> str:
        """``<episode>_summit_<date>``, e.g. ``pelosi_summit_2022-11-14``."""
        return f"{short_name(self.episode)}_summit_{self.date.date()}"


def thaw_summits(timeline: pd.DataFrame) -> list[Summit]:
    """Leader summits tagged with a role beginning ``thaw``, in date order."""
    rows = timeline[(timeline["kind"] == "leader_summit") & timeline["role"].str.startswith("thaw")]
    return sorted((Summit(pd.Timestamp(r.date), r.episode) for r in rows.itertuples(index=False)), key=lambda m: m.date)


@dataclass(frozen=True)
class Tenure:
    """A post (on ``channel``) held by an official the rival sanctions.

    Attributes:
        episode: The sanction's episode tag.
        channel: The channel the post runs through (the sanction row's channel).
        appointment: The episode's first ``personnel_change`` on the channel on or after the
            sanction (as a :class:`Trigger`, to find it in a run).
        end: The episode's first later ``personnel_change`` on the channel tagged with a role
            beginning ``thaw`` (the removal that let the channel reopen); None if undocumented.
    """

    episode: str
    channel: str
    appointment: Trigger
    end: pd.Timestamp | None

    @property
    def start(self) -> pd.Timestamp:
        return self.appointment.date


def sanctioned_tenures(timeline: pd.DataFrame) -> list[Tenure]:
    """Tenures of officials the rival sanctions, from the timeline's sanction and personnel_change rows.

    A sanction row from :data:`RIVAL` on :data:`RESPONDER` with a channel and an episode tag
    names a post; the tenure runs from the episode's first later ``personnel_change`` on that
    channel to its first ``personnel_change`` tagged ``thaw...`` after that.
    """
    t = timeline[timeline["episode"] != ""]
    sanctions = t[(t["kind"] == "sanction") & (t["sender"] == RIVAL) & (t["receiver"] == RESPONDER) & (t["channel"] != "")]
    out: list[Tenure] = []
    for (episode, channel), rows in sanctions.groupby(["episode", "channel"], sort=True):
        changes = t[(t["episode"] == episode) & (t["channel"] == channel) & (t["kind"] == "personnel_change")]
        changes = changes[changes["date"] >= rows["date"].min()].sort_values("date", kind="stable")
        if changes.empty:
            continue
        first = changes.iloc[0]
        ends = changes[(changes["date"] > first["date"]) & changes["role"].str.startswith("thaw")]
        appointment = Trigger(str(episode), pd.Timestamp(first["date"]), first["sender"], first["receiver"], first["kind"])
        out.append(Tenure(str(episode), str(channel), appointment, None if ends.empty else pd.Timestamp(ends["date"].iloc[0])))
    return out
