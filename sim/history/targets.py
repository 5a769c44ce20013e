"""What the documented timeline says the model should reproduce.

Everything here is derived from the timeline (``sim.history.timeline.load_timeline``)
by explicit rules, so the comparison never hard-codes a documented date:

* lags from each episode's trigger to China's first response, to channel
  suspensions and to meeting refusals (:data:`LAG_MEASURES`);
* the documented status of every channel, day by day (:func:`documented_spells`);
* the thaw summits after which channels reopened (:func:`thaw_summits`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# A spell of a channel ends at the first later row on that channel of one of
# these kinds: the channel was demonstrably in use again.
_REOPENING_KINDS = ("channel_resumption", "ministerial_meeting", "working_group", "leader_summit", "high_level_visit")
GOVERNMENTS = ("USA", "CHN")
RESPONDER = "CHN"


@dataclass(frozen=True)
class LagMeasure:
    """A lag from an episode's trigger to one kind of Chinese response.

    Attributes:
        name: Short name used in reports.
        episode: Episode tag in the timeline (e.g. ``E2022_PELOSI``).
        what: ``first_response`` (China's first answer of any kind),
            ``suspension`` (first suspension of ``channel``) or ``refusal``
            (first refused meeting on ``channel``).
        channel: The channel, for suspensions and refusals.
        window_days: How long after the trigger a simulated response counts.
    """

    name: str
    episode: str
    what: str
    channel: str = ""
    window_days: int = 60


LAG_MEASURES: tuple[LagMeasure, ...] = (
    LagMeasure("pelosi_first_response", "E2022_PELOSI", "first_response"),
    LagMeasure("pelosi_suspends_mil_mil", "E2022_PELOSI", "suspension", "mil_mil"),
    LagMeasure("pelosi_suspends_climate", "E2022_PELOSI", "suspension", "climate"),
    LagMeasure("pelosi_suspends_working_groups", "E2022_PELOSI", "suspension", "working_groups"),
    LagMeasure("balloon_first_response", "E2023_BALLOON", "first_response"),
    LagMeasure("lishangfu_refuses_defense_ministers", "E2023_LISHANGFU", "refusal", "defense_ministers", 120),
    LagMeasure("nasams_first_response", "E2024_NASAMS", "first_response"),
    LagMeasure("nasams_refuses_defense_ministers", "E2024_NASAMS", "refusal", "defense_ministers"),
)


@dataclass(frozen=True)
class Trigger:
    """An episode's trigger as documented."""

    episode: str
    date: pd.Timestamp
    sender: str
    receiver: str
    kind: str


def triggers(timeline: pd.DataFrame) -> dict[str, Trigger]:
    """The first row tagged ``trigger`` of each episode."""
    rows = timeline[timeline["role"] == "trigger"].drop_duplicates("episode")
    return {
        r.episode: Trigger(r.episode, pd.Timestamp(r.date), r.sender, r.receiver, r.kind)
        for r in rows.itertuples(index=False)
    }


def documented_lag(timeline: pd.DataFrame, m: LagMeasure) -> float | None:
    """Days from the episode's trigger to the documented response ``m`` (None if undocumented)."""
    trig = triggers(timeline).get(m.episode)
    if trig is None:
        return None
    rows = timeline[(timeline["episode"] == m.episode) & (timeline["sender"] == RESPONDER)]
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
    t = timeline[(timeline["confidence"] != "low") & (timeline["channel"] != "")]
    t = t[t["sender"].isin(GOVERNMENTS) & t["receiver"].isin(GOVERNMENTS) & (t["sender"] != t["receiver"])]
    spells: list[Spell] = []
    for channel, rows in t.groupby("channel", sort=True):
        resumptions = rows.loc[rows["kind"] == "channel_resumption", "date"]
        is_start = rows["kind"] == "channel_suspension"
        if not resumptions.empty:
            is_start |= (rows["kind"] == "meeting_rejection") & (rows["date"] < resumptions.max())
        reopen = rows.loc[rows["kind"].isin(_REOPENING_KINDS), "date"].sort_values()
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


def thaw_summits(timeline: pd.DataFrame) -> list[pd.Timestamp]:
    """Leader summits tagged as thaws (Bali 2022, Woodside 2023)."""
    rows = timeline[(timeline["kind"] == "leader_summit") & timeline["role"].str.startswith("thaw")]
    return [pd.Timestamp(d) for d in rows["date"]]
