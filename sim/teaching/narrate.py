"""``python -m sim.narrate``: a run told as a dated story, one line per signal.

Each line gives the day, who does what to whom in plain words and, for a
signal that answers another, what it answers and when::

    2022-08-03 China condemns the United States, answering the US high-level visit to Taiwan
    on 2022-08-02 (House Speaker lands in Taipei (meets Tsai 3 Aug)).

(one line in the output). Usage::

    python -m sim.narrate [OVERRIDE...] [--from DATE] [--to DATE] [--actor ISO3] [--out FILE]
    python -m sim.narrate RUN_FOLDER [--from DATE] [--to DATE] [--actor ISO3] [--out FILE]

Overrides are those of ``python -m sim``; the run is kept in memory and no run
folder is written. A run folder (``results/runs/<timestamp>/``) is read from
its ``events.parquet`` instead. The words come from the vocabulary files in
``sim/data/``: each actor's ``noun`` and ``adjective``, each channel's
``label``, each signal kind's ``verb`` and ``noun`` templates.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.cli import SOURCE, CommandParser, run_command
from sim.core.errors import SimInputError
from sim.core.vocabulary import Vocabulary, load_vocabulary
from sim.outputs import style
from sim.outputs.io import read_events
from sim.outputs.nulls import missing, with_nulls

# The columns a story needs; note, magnitude and unit are used when present.
# Amounts in US dollars, by unit, in dollars; other units are written as "<number> <unit>".
DOLLARS = {"usd_bn": 1e9, "usd_m": 1e6}
# Kinds whose rule-written note gives a reason worth telling. Rules note why a meeting was
# refused or a planned engagement called off; the only other rule note, "accepted", says no
# more than the meeting itself.
REASONED_KINDS = {"meeting_rejection", "visit_postponed"}


def _fill(template: str, kind: str, ev: Mapping[str, Any], fallback: str) -> str:
    """Fill a kind's template with the event's receiver and channel (a kind added without narration
    words still gets a line, from ``fallback``)."""
    return style.fill(template or fallback, kind, ev["receiver"], ev["channel"])


def _note(ev: Mapping[str, Any]) -> str:
    """The event's note, trimmed, without a final full stop (the line adds its own)."""
    note = ev.get("note")
    return note.strip().rstrip(".") if isinstance(note, str) else ""


def _amount(ev: Mapping[str, Any]) -> str:
    """The act's size in words ("$1.1 billion"), or "" if it has none."""
    magnitude, unit = ev.get("magnitude"), ev.get("unit")
    if missing(magnitude):
        return ""
    unit = "" if missing(unit) else unit
    if unit not in DOLLARS:
        return f"{magnitude:g} {unit}".strip()
    usd = magnitude * DOLLARS[unit]
    # "$428 million" reads better than "$0.428 billion"; round(.., 6) drops float noise.
    return f"${round(usd / 1e9, 6):g} billion" if usd >= 1e9 else f"${round(usd / 1e6, 6):g} million"


def _day(ev: Mapping[str, Any]) -> str:
    return pd.Timestamp(ev["date"]).strftime("%Y-%m-%d")


def _sentence(ev: Mapping[str, Any], vocab: Vocabulary) -> str:
    """What happened, with the sender as subject: "China suspends climate talks with the United States"."""
    kind = ev["kind"]
    spec = vocab.kinds.get(kind)
    verb = _fill(spec.verb if spec else "", kind, ev, "sends a {kind} signal to {receiver}")
    subject = style.actor_words(ev["sender"])[0]
    return f"{subject[:1].upper()}{subject[1:]} {verb}"


def _reference(ev: Mapping[str, Any], vocab: Vocabulary) -> str:
    """A signal named as what an answer answers: "the US arms sale to Taiwan on 2022-09-02 (...)"."""
    kind = ev["kind"]
    spec = vocab.kinds.get(kind)
    noun = _fill(spec.noun if spec else "", kind, ev, "{kind} signal")
    text = f"the {style.actor_words(ev['sender'])[1]} {noun} on {_day(ev)}"
    # A scripted note says what happened (a rule's note is a reason, told on its own line).
    note = _first_clause(_note(ev)) if ev["scripted"] else ""
    return f"{text} ({note})" if note else text


def _first_clause(note: str) -> str:
    """The note up to its first comma or semicolon: enough to recognise an event already told.

    A clause too short to stand alone ("Li Shangfu, under US sanctions since 2018, ...")
    keeps the whole note.
    """
    depth, cut = 0, len(note)
    for i, ch in enumerate(note):  # the first ", " or "; " outside parentheses
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in ",;" and note[i + 1 : i + 2] == " ":
            cut = i
            break
    clause = note[:cut]
    return clause if len(clause.split()) >= 3 else note


def _line(ev: Mapping[str, Any], by_id: Mapping[int, Mapping[str, Any]], vocab: Vocabulary) -> str:
    """One signal's line: day, sentence, the scripted note, what it answers, a refusal's reason."""
    text = f"{_day(ev)} {_sentence(ev, vocab)}"
    note = _note(ev)
    if ev["scripted"]:
        details = [d for d in (note, _amount(ev)) if d]
        if details:
            text += f" ({'; '.join(details)})"
    cause = ev["cause"]
    if not missing(cause):
        cause_ev = by_id.get(int(cause))
        text += ", answering " + (_reference(cause_ev, vocab) if cause_ev else f"signal {int(cause)}")
    if not ev["scripted"] and note and ev["kind"] in REASONED_KINDS:
        text += f", because {note}"
    return text + "."


def narrate(
    events: pd.DataFrame,
    start: str | date | None = None,
    end: str | date | None = None,
    actor: str | None = None,
) -> list[str]:
    """Tell a run's event log as dated lines, one per signal, in date order.

    Args:
        events: An event log (``RunResult.events`` or a run folder's ``events.parquet``).
        start, end: Keep only signals on or after ``start`` and on or before ``end``.
        actor: Keep only signals this actor (ISO3 code) sends or receives.

    Returns:
        One line per kept signal. An answer names its immediate cause even when the
        filters leave the cause's own line out.
    """
    vocab = load_vocabulary()
    rows = with_nulls(events).to_dict("records")  # a table built by hand may say "no value" with "", None or NaN
    for r in rows:
        r["date"] = pd.Timestamp(r["date"])
    by_id = {int(r["id"]): r for r in rows}
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    kept = [
        r for r in rows
        if (lo is None or r["date"] >= lo) and (hi is None or r["date"] <= hi)
        and (actor is None or actor in (r["sender"], r["receiver"]))
    ]  # fmt: skip
    # Same-day signals keep the order they were sent in (their ids), so a day reads cause first.
    kept.sort(key=lambda r: (r["date"], int(r["id"])))
    return [_line(r, by_id, vocab) for r in kept]


def simulate_events(overrides: Sequence[str]) -> pd.DataFrame:
    """Run the model as ``python -m sim`` would with ``overrides``, in memory; return its event log."""
    from hydra.errors import HydraException

    from sim.api import execute
    from sim.config.checks import check_overrides
    from sim.config.compose import compose_config

    try:
        check_overrides(overrides)  # unknown keys and options, in one line naming them
        cfg, choices = compose_config(overrides)
    except HydraException as e:  # syntax errors, sweeps: Hydra's first line says what is wrong
        first = (str(e).splitlines() or [""])[0]
        raise SimInputError(SOURCE, "overrides", " ".join(overrides), first) from None
    return execute(cfg, None, choices).events


def _date(flag: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SimInputError(SOURCE, flag, value, "not a date (YYYY-MM-DD)") from None


def _is_override(token: str) -> bool:
    # Every Hydra override but a deletion holds "="; a run folder's path holds none.
    return "=" in token or token.startswith("~")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.narrate [OVERRIDE... | RUN_FOLDER] [--from DATE] [--to DATE] [--actor ISO3] [--out FILE]``."""
    return run_command(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    parser = CommandParser(prog="python -m sim.narrate", description="Tell a run as a dated story, one line per signal.")
    parser.add_argument(
        "args", nargs="*", metavar="OVERRIDE|FOLDER", help="overrides as for python -m sim, or one run folder"
    )
    parser.add_argument("--from", dest="start", metavar="DATE", help="first day told (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="last day told (YYYY-MM-DD)")
    parser.add_argument("--actor", metavar="ISO3", help="only signals this actor sends or receives")
    parser.add_argument("--out", metavar="FILE", help="write the story to FILE instead of printing it")
    args = parser.parse_intermixed_args(argv)
    start, end = _date("--from", args.start), _date("--to", args.end)
    if start and end and start > end:
        raise SimInputError(SOURCE, "--from", args.start, f"is after --to={args.end}")
    actors = load_vocabulary().actors
    args.actor = args.actor.upper() if args.actor else args.actor
    if args.actor is not None and args.actor not in actors:
        raise SimInputError(SOURCE, "--actor", args.actor, f"unknown actor (known: {', '.join(actors)})")
    folders = [a for a in args.args if not _is_override(a)]
    overrides = [a for a in args.args if _is_override(a)]
    if len(folders) > 1:
        raise SimInputError(SOURCE, "run folder", " ".join(folders), "give one run folder at a time")
    if folders and overrides:
        raise SimInputError(SOURCE, "overrides", " ".join(overrides), "give a run folder or overrides, not both")
    events = read_events(Path(folders[0])) if folders else simulate_events(overrides)
    lines = narrate(events, start, end, args.actor)
    if args.out:
        from sim.outputs.io import write_text

        try:
            write_text(Path(args.out), "".join(f"{line}\n" for line in lines))
        except OSError as e:
            raise SimInputError(SOURCE, "--out", args.out, e.strerror or str(e)) from None
    if not lines:
        print("no signals match the filters", file=sys.stderr)
    if args.out:
        print(f"wrote {args.out} ({len(lines)} lines)")
    elif lines:
        try:
            print("\n".join(lines), flush=True)
        except BrokenPipeError:  # the reader (``| head``) stopped early: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush is silent
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
