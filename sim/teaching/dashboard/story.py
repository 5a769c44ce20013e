"""The dashboard's words: the latest signals, and what the rules just answered and why.

Both are built from the run's event log with :func:`sim.teaching.narrate.narrate`
(the words of ``python -m sim.narrate``) and returned as escaped HTML for the
page. No Solara here, so tests read the same text the page shows.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from sim.teaching.narrate import narrate


def _lines(events: pd.DataFrame, start: dt.date | None = None, end: dt.date | None = None) -> list[tuple[str, bool]]:
    """(line, scripted) per signal from ``start`` to ``end``, in narrate's order (date, then id)."""
    if not len(events):
        return []
    lines = narrate(events, start, end)
    rows = events
    if start is not None:
        rows = rows[rows["date"] >= pd.Timestamp(start)]
    if end is not None:
        rows = rows[rows["date"] <= pd.Timestamp(end)]
    rows = rows.sort_values(["date", "id"], kind="stable")
    return list(zip(lines, rows["scripted"].astype(bool)))


def _item(line: str, scripted: bool) -> str:
    day, _, text = line.partition(" ")
    badge = "" if scripted else ' <span class="sim-rule">rule</span>'
    return f'<li><span class="sim-date">{html.escape(day)}</span>{badge} {html.escape(text)}</li>'


def event_log_html(events: pd.DataFrame, limit: int = 200) -> str:
    """The latest ``limit`` signals, latest first; "rule" marks answers a rule decided (the rest are scripted)."""
    lines = _lines(events)
    if not lines:
        return "<p>No signals yet.</p>"
    return "<ol reversed>" + "".join(_item(line, s) for line, s in lines[::-1][:limit]) + "</ol>"


def what_happened(events: pd.DataFrame, first: dt.date | None, last: dt.date | None, limit: int = 4) -> str:
    """The rules' answers in the days last simulated (``first`` to ``last``), with what they answer.

    When the rules answered nothing in those days, names the latest answer before
    them, so the panel always says what the rules did last.
    """
    if first is None or last is None:
        return "<p>Nothing yet: press Step or Play.</p>"
    span = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
    answers = [line for line, scripted in _lines(events, first, last) if not scripted]
    if answers:
        head = f"<p><b>{span}:</b> the rules answered {len(answers)} time{'s' if len(answers) > 1 else ''}.</p>"
        shown = answers[-limit:]
        more = f"<p>… and {len(answers) - limit} earlier.</p>" if len(answers) > limit else ""
        return head + "<ul>" + "".join(_item(line, False) for line in shown) + "</ul>" + more
    earlier = [line for line, scripted in _lines(events, None, first - dt.timedelta(days=1)) if not scripted]
    head = f"<p><b>{span}:</b> no rule answered.</p>"
    if earlier:
        return head + "<p>The last answer:</p><ul>" + _item(earlier[-1], False) + "</ul>"
    return head
