"""Compare simulated runs with the documented 2022-2024 timeline.

``python -m sim.compare <run or sweep folders>`` and :func:`compare_runs`
report, per episode and overall:

* lags from each trigger to China's first response, to each channel
  suspension and to each refused meeting, simulated against documented
  (:data:`sim.history.targets.LAG_MEASURES`);
* for each channel, the fraction of days whose simulated status (open or
  suspended) matches the documented status (:func:`sim.history.targets.documented_spells`);
* thaw timing: days from each documented suspension to its end, simulated
  against documented, and whether channels reopened civilian before military
  after each thaw summit;
* the behaviours the calibrated model must show (:data:`CHECKS`);
* one overall fit score (:data:`FIT_WEIGHTS`), in [0, 1], higher is better.

Over several runs (seeds) it reports medians and 5-95% intervals, and for
checks the fraction of runs that pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.errors import SimInputError
from sim.core.vocabulary import load_vocabulary
from sim.history.targets import (
    LAG_MEASURES,
    RESPONDER,
    LagMeasure,
    Spell,
    documented_lag,
    documented_spells,
    documented_status,
    thaw_summits,
    triggers,
)
from sim.history.timeline import load_timeline
from sim.outputs import columns
from sim.outputs.metrics import suspended_mask

# Score of a lag error of d days: exp(-d / LAG_SCALE_DAYS); of a thaw-length error: exp(-d / THAW_SCALE_DAYS).
LAG_SCALE_DAYS = 7.0
THAW_SCALE_DAYS = 60.0
# The overall fit score: weighted mean of the component scores, each in [0, 1].
FIT_WEIGHTS: dict[str, float] = {"lags": 0.4, "status": 0.3, "thaw": 0.2, "order": 0.1}
CHECKS: dict[str, str] = {
    "pelosi_answered_within_3d": "China's first response to the Pelosi visit comes 0-3 days after it",
    "nasams_answered_within_3d": "China's first response to the NASAMS sale comes 0-3 days after it",
    "balloon_answered_within_3d": "China's first response in the balloon episode comes 0-3 days after it",
    "pelosi_mil_mil_cut_within_7d": "military channels are suspended within 7 days of the Pelosi visit",
    "admm_2024_refused_others_open": "the defence-ministers meeting at ADMM-Plus (Nov 2024) is refused while every other channel is open",
    "bali_civilian_before_military": "after the Bali summit, civilian channels reopen before military ones",
    "woodside_civilian_before_military": "after the Woodside summit, civilian channels reopen before military ones",
    "defense_shut_under_li": "no defence-ministers meeting or reopening while Li Shangfu is minister",
}  # fmt: skip


@dataclass(frozen=True)
class Run:
    """The two tables of one run, and where they came from."""

    events: pd.DataFrame
    steps: pd.DataFrame
    label: str


def read_run(folder: Path) -> Run:
    """Read a run folder; raise SimInputError naming it if it is missing or malformed."""
    for name in ("events.parquet", "steps.parquet"):
        if not (folder / name).is_file():
            raise SimInputError(str(folder), name, "missing", "not a complete run folder")
    try:
        events = pd.read_parquet(folder / "events.parquet")
        steps = pd.read_parquet(folder / "steps.parquet")
    except Exception as e:  # pyarrow raises many types for a damaged file
        raise SimInputError(str(folder), "parquet", type(e).__name__, f"unreadable run table: {e}") from None
    need_events = {"id", "date", "step", "sender", "receiver", "kind", "channel", "cause", "scripted"}
    for name, table, need in (("events.parquet", events, need_events), ("steps.parquet", steps, {"date", "step"})):
        missing = sorted(need - set(table.columns))
        if missing:
            raise SimInputError(str(folder / name), "columns", missing, "missing from the run table")
    return Run(events, steps, str(folder))


def find_runs(paths: Iterable[str | Path]) -> list[Path]:
    """Run folders among ``paths``: each path is a run folder or holds run folders (a sweep)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise SimInputError(str(p), "folder", str(p), "does not exist")
        if (p / "events.parquet").is_file():
            found.append(p)
            continue
        inside = sorted({f.parent for f in p.rglob("events.parquet")})
        if not inside:
            raise SimInputError(str(p), "folder", str(p), "holds no run folder (no events.parquet below it)")
        found += inside
    return found


class Documented:
    """The targets derived from one timeline, computed once and reused for many runs."""

    def __init__(self, timeline: pd.DataFrame | None = None) -> None:
        self.timeline = load_timeline() if timeline is None else timeline
        self.triggers = triggers(self.timeline)
        self.lags = {m.name: documented_lag(self.timeline, m) for m in LAG_MEASURES}
        self.spells: list[Spell] = documented_spells(self.timeline)
        self.summits = thaw_summits(self.timeline)
        li = self.timeline[(self.timeline["episode"] == "E2023_LISHANGFU") & (self.timeline["kind"] == "personnel_change")]
        self.li_tenure = (li["date"].min(), li[li["role"] == "thaw_precondition"]["date"].min())
        self.period = (self.timeline.loc[self.timeline["date"].dt.year >= 2022, "date"].min(), self.timeline["date"].max())


# -- the simulated side ------------------------------------------------------------
def _trigger_row(ev: pd.DataFrame, trig) -> pd.Series | None:
    rows = ev[ev["scripted"] & (ev["date"] == trig.date) & (ev["kind"] == trig.kind) & (ev["sender"] == trig.sender)]
    return None if rows.empty else rows.iloc[0]


def _descendants(ev: pd.DataFrame, root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for i, c in zip(ev["id"].to_numpy(), ev["cause"].to_numpy()):
        if not pd.isna(c):
            children.setdefault(int(c), []).append(int(i))
    out, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def simulated_lag(ev: pd.DataFrame, trig, m: LagMeasure) -> float | None:
    """Days from the run's trigger to its first response ``m`` (None: none within the window)."""
    root = _trigger_row(ev, trig)
    if root is None:
        return None
    t0 = int(root["step"])
    rows = ev[(ev["sender"] == RESPONDER) & ~ev["scripted"] & ev["step"].between(t0, t0 + m.window_days)]
    if m.what == "first_response":
        rows = rows[rows["id"].isin(_descendants(ev, int(root["id"])))]
    elif m.what == "suspension":
        rows = rows[(rows["kind"] == "channel_suspension") & (rows["channel"] == m.channel)]
    else:
        rows = rows[(rows["kind"] == "meeting_rejection") & (rows["channel"] == m.channel)]
    return None if rows.empty else float(rows["step"].min() - t0)


def _status(steps: pd.DataFrame) -> dict[str, np.ndarray]:
    return {columns.channel_name(c): suspended_mask(steps[c]) for c in columns.of(steps.columns, columns.CHANNEL)}


def _reopening_order_ok(ev: pd.DataFrame, status: Mapping[str, np.ndarray], dates: pd.Series, summit) -> bool | None:
    """After ``summit``: were the civilian channels open again before the first military reopening?

    None when no military channel is suspended on the summit's day (nothing to
    order). Civilian channels already open at the summit count as reopened first.
    """
    day = int(np.searchsorted(dates.to_numpy(), summit.to_datetime64()))
    if day >= len(dates) or summit < dates.iloc[0]:
        return None  # the summit falls outside the run
    military = {c for c, s in load_vocabulary().channels.items() if s.military}

    def reopening(c: str) -> float:
        after = np.flatnonzero(~status[c][day:])
        return float(after[0]) if after.size else math.inf

    shut = [c for c, s in status.items() if s[day]]
    mil = [reopening(c) for c in shut if c in military]
    if not mil:
        return None
    first_military = min(mil)
    # Every civilian channel shut at the summit must reopen, and no later than the first military one.
    return all(reopening(c) <= first_military and reopening(c) < math.inf for c in shut if c not in military)


def assess(run: Run, doc: Documented) -> dict[str, Any]:
    """Every comparison item for one run: lags, status match, thaw timing, order, checks, fit."""
    ev, st = run.events, run.steps
    out: dict[str, Any] = {"run": run.label}
    # Lags.
    lag_scores = []
    present: dict[str, bool] = {}  # whether the run scripts the measure's trigger at all
    for m in LAG_MEASURES:
        trig = doc.triggers.get(m.episode)
        present[m.name] = trig is not None and _trigger_row(ev, trig) is not None
        sim = simulated_lag(ev, trig, m) if present[m.name] else None
        docd = doc.lags[m.name]
        out[f"lag.{m.name}.sim"], out[f"lag.{m.name}.doc"] = sim, docd
        if docd is not None and present[m.name]:
            lag_scores.append(0.0 if sim is None else math.exp(-abs(sim - docd) / LAG_SCALE_DAYS))
    # Channel status, over the days both cover.
    dates = pd.DatetimeIndex(st["date"])
    within = (dates >= doc.period[0]) & (dates <= doc.period[1])
    status = _status(st)
    status_scores = []
    for c, sim_susp in status.items():
        match = float(np.mean(sim_susp[within] == documented_status(doc.spells, c, dates[within]))) if within.any() else None
        out[f"status.{c}"] = match
        if match is not None:
            status_scores.append(match)
    # Thaw timing: each documented spell that ended, against the simulated spell that began nearest to it.
    thaw_scores = []
    for s in doc.spells:
        if s.end is None or s.channel not in status:
            continue
        doc_len = float((s.end - s.start).days)
        sim_len = _simulated_spell_length(status[s.channel], dates, s.start)
        key = f"thaw.{s.channel}.{s.start.date()}"
        out[f"{key}.doc"], out[f"{key}.sim"] = doc_len, sim_len
        if within.any() and s.start >= dates[0]:
            thaw_scores.append(0.0 if sim_len is None else math.exp(-abs(sim_len - doc_len) / THAW_SCALE_DAYS))
    # Reopening order after each thaw summit.
    order_scores = []
    for summit, name in zip(doc.summits, ("bali", "woodside")):
        ok = _reopening_order_ok(ev, status, st["date"], summit)
        out[f"order.{name}"] = ok
        if ok is not None:
            order_scores.append(float(ok))
    components = {"lags": lag_scores, "status": status_scores, "thaw": thaw_scores, "order": order_scores}
    weights = {k: w for k, w in FIT_WEIGHTS.items() if components[k]}
    for k, vals in components.items():
        out[f"score.{k}"] = float(np.mean(vals)) if vals else None
    out["fit"] = (sum(w * out[f"score.{k}"] for k, w in weights.items()) / sum(weights.values())) if weights else None
    out.update(_checks(out, present, ev, status, dates, doc))
    return out


def _simulated_spell_length(susp: np.ndarray, dates: pd.DatetimeIndex, start: pd.Timestamp, slack: int = 30) -> float | None:
    """Length of the simulated spell beginning nearest ``start`` (within ``slack`` days); None if none."""
    edges = np.diff(np.concatenate(([0], susp.astype(np.int8), [0])))
    begins, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not begins.size:
        return None
    day = (start - dates[0]).days
    k = int(np.argmin(np.abs(begins - day)))
    if abs(begins[k] - day) > slack:
        return None
    return float(ends[k] - begins[k])


def _checks(
    out: Mapping[str, Any], present: Mapping[str, bool], ev: pd.DataFrame, status, dates: pd.DatetimeIndex,
    doc: Documented,
) -> dict[str, Any]:
    """The behaviours of :data:`CHECKS`: True, False, or None where the run cannot show them."""

    def within(name: str, days: float) -> bool | None:
        if not present[name]:
            return None
        sim = out[f"lag.{name}.sim"]
        return sim is not None and 0 <= sim <= days

    res: dict[str, Any] = {
        "check.pelosi_answered_within_3d": within("pelosi_first_response", 3),
        "check.nasams_answered_within_3d": within("nasams_first_response", 3),
        "check.balloon_answered_within_3d": within("balloon_first_response", 3),
        "check.pelosi_mil_mil_cut_within_7d": within("pelosi_suspends_mil_mil", 7),
        "check.bali_civilian_before_military": out.get("order.bali"),
        "check.woodside_civilian_before_military": out.get("order.woodside"),
    }
    # ADMM-Plus 2024: the refusal documented for the NASAMS episode, on its documented day.
    nasams, lag = doc.triggers.get("E2024_NASAMS"), doc.lags.get("nasams_refuses_defense_ministers")
    request = ev.iloc[0:0]
    if nasams is not None and lag is not None and present.get("nasams_first_response"):
        refusal_day = nasams.date + pd.Timedelta(days=lag)
        request = ev[(ev["kind"] == "meeting_request") & (ev["channel"] == "defense_ministers") & (ev["date"] == refusal_day)]
    if request.empty:
        res["check.admm_2024_refused_others_open"] = None
    else:
        answers = ev[ev["cause"].isin(request["id"]) & (ev["sender"] == RESPONDER)]
        day = int(request["step"].iloc[0])
        others_open = all(not s[day] for c, s in status.items() if c != "defense_ministers")
        res["check.admm_2024_refused_others_open"] = bool((answers["kind"] == "meeting_rejection").any() and others_open)
    start, end = doc.li_tenure
    if not present.get("lishangfu_refuses_defense_ministers") or pd.isna(start) or pd.isna(end) \
            or not (dates[0] <= start and end <= dates[-1]):  # fmt: skip
        res["check.defense_shut_under_li"] = None
    else:
        during = ev[(ev["date"] >= start) & (ev["date"] < end) & (ev["channel"] == "defense_ministers")]
        res["check.defense_shut_under_li"] = bool(
            not during["kind"].isin(["ministerial_meeting", "channel_resumption"]).any()
        )
    return res


# -- many runs ---------------------------------------------------------------------
def compare_runs(runs: Iterable[Run | Any], doc: Documented | None = None) -> pd.DataFrame:
    """One row per run with every comparison item (see :func:`assess`).

    Args:
        runs: :class:`Run` objects, run results (anything with ``.events`` and
            ``.steps``), or run folders.
        doc: The documented targets (default: from the shipped timeline).
    """
    doc = doc or Documented()
    rows = []
    for i, r in enumerate(runs):
        if isinstance(r, (str, Path)):
            r = read_run(Path(r))
        elif not isinstance(r, Run):
            label = str(getattr(r, "output_dir", None) or f"run {i}")
            r = Run(r.events, r.steps, label)
        rows.append(assess(r, doc))
    return pd.DataFrame(rows)


def summarize_comparison(per_run: pd.DataFrame) -> pd.DataFrame:
    """Spread over runs: median and 5-95% interval of each number; pass rate of each check."""
    rows = []
    for col in per_run.columns:
        if col == "run":
            continue
        vals = per_run[col].dropna()
        if col.startswith(("check.", "order.")):
            rows.append({"item": col, "n": len(vals), "pass_rate": float(vals.astype(bool).mean()) if len(vals) else None})
        elif len(vals):
            v = vals.astype(float).to_numpy()
            rows.append({"item": col, "n": len(v), "median": float(np.median(v)),
                         "q05": float(np.quantile(v, 0.05)), "q95": float(np.quantile(v, 0.95))})  # fmt: skip
        else:
            rows.append({"item": col, "n": 0})
    return pd.DataFrame(rows, columns=["item", "n", "median", "q05", "q95", "pass_rate"])


def format_report(per_run: pd.DataFrame) -> str:
    """A plain-text report: lags, status, thaw, checks and the fit score."""
    summary = summarize_comparison(per_run).set_index("item")
    n = len(per_run)
    lines = [f"Comparison with the documented 2022-2024 timeline over {n} run{'s' if n != 1 else ''}", ""]

    def num(item: str) -> str:
        if item not in summary.index or pd.isna(summary.loc[item, "median"]):
            return "n/a"
        r = summary.loc[item]
        return f"{r['median']:.3g}" + (f" [{r['q05']:.3g}, {r['q95']:.3g}]" if n > 1 else "")

    lines.append("Lags from trigger (days): simulated median [5%, 95%] vs documented")
    for m in LAG_MEASURES:
        docd = per_run[f"lag.{m.name}.doc"].iloc[0] if n else None
        missing = per_run[f"lag.{m.name}.sim"].isna().mean() if n else 0
        extra = f"  (no response in {missing:.0%} of runs)" if missing else ""
        lines.append(f"  {m.name:38s} {num(f'lag.{m.name}.sim'):>18s}  vs {docd if docd is not None else 'n/a'}{extra}")
    lines += ["", "Channel status: fraction of days matching the documented status"]
    for col in (c for c in per_run.columns if c.startswith("status.")):
        lines.append(f"  {col.removeprefix('status.'):38s} {num(col):>18s}")
    lines += ["", "Thaw: days suspended, simulated vs documented"]
    for col in (c for c in per_run.columns if c.startswith("thaw.") and c.endswith(".sim")):
        docd = per_run[col.removesuffix(".sim") + ".doc"].iloc[0]
        lines.append(f"  {col.removeprefix('thaw.').removesuffix('.sim'):38s} {num(col):>18s}  vs {docd:.0f}")
    lines += ["", "Checks: fraction of runs passing"]
    for key, text in CHECKS.items():
        col = f"check.{key}"
        rate = summary.loc[col, "pass_rate"] if col in summary.index else None
        shown = "n/a" if rate is None or pd.isna(rate) else f"{rate:.0%}"
        lines.append(f"  {shown:>5s}  {text}")
    lines += ["", "Fit score (0..1, higher is better): " + num("fit")]
    weights = ", ".join(f"{k} {w:g}" for k, w in FIT_WEIGHTS.items())
    parts = ", ".join(f"{k} {num('score.' + k)}" for k in FIT_WEIGHTS)
    lines.append(f"  components: {parts}  (weights: {weights})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.compare FOLDER... [--out FILE.csv] [--timeline FILE.csv]``."""
    import argparse
    import sys

    from sim.outputs.io import atomic_write, write_json

    parser = argparse.ArgumentParser(prog="python -m sim.compare", description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", help="run folders, or folders holding run folders (sweeps)")
    parser.add_argument("--out", help="also write the per-run table (.csv or .parquet) and a summary .json beside it")
    parser.add_argument("--timeline", help="a documented timeline CSV (default: the shipped 2022-2024 one)")
    args = parser.parse_args(argv)
    try:
        doc = Documented(load_timeline(args.timeline) if args.timeline else None)
        per_run = compare_runs(find_runs(args.folders), doc)
    except SimInputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(format_report(per_run))
    if args.out:
        out = Path(args.out)
        if out.suffix == ".parquet":
            atomic_write(out, lambda p: per_run.to_parquet(p, index=False))
        else:
            atomic_write(out, lambda p: per_run.to_csv(p, index=False))
        summary = summarize_comparison(per_run)
        write_json(out.with_suffix(".summary.json"), json_ready(summary.to_dict(orient="records")))
        print(f"\nwrote {out} and {out.with_suffix('.summary.json')}")
    return 0


def json_ready(obj: Any) -> Any:
    """Replace NaN by None, recursively, so the result is valid JSON."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [json_ready(v) for v in obj]
    return obj


if __name__ == "__main__":
    raise SystemExit(main())
