"""What changed, the summary table, the text report and the results folder of a counterfactual
comparison (``sim.teaching.counterfactual``)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.errors import SimInputError
from sim.core.scenario import Scenario, ScriptedEvent
from sim.outputs.io import staged_folder, write_json
from sim.outputs.metrics import outcome, scalar_outcomes
from sim.outputs.provenance import now, provenance
from sim.teaching.counterfactual_results import CounterfactualResult, Runs

SUMMARY_COLUMNS = ("counterfactual", "base", "metric", "description", "base_value", "cf_value", "diff_mean",
                   "diff_q05", "diff_q95")  # fmt: skip


def _key(e: ScriptedEvent) -> tuple:
    return (e.date, e.precision, e.sender, e.receiver, e.kind, e.channel, e.intensity, e.magnitude, e.unit, e.facts,
            e.planned, e.post, e.official, e.sanctioned_by)  # fmt: skip


def changed_events(base: Scenario, cf: Scenario) -> tuple[tuple[ScriptedEvent, ...], tuple[ScriptedEvent, ...]]:
    """Scripted events of ``base`` that ``cf`` lacks, and events of ``cf`` that ``base`` lacks.

    Events are compared by what they do (date, actors, kind, channel, size, post),
    not by file position, so a full copy of the base with edits and a
    ``base:``-derived file give the same answer.
    """

    def only_in(a: Scenario, b: Scenario) -> tuple[ScriptedEvent, ...]:
        spare = Counter(map(_key, a.events)) - Counter(map(_key, b.events))
        out = []
        for e in a.events:
            if spare[_key(e)] > 0:
                spare[_key(e)] -= 1
                out.append(e)
        return tuple(out)

    return only_in(base, cf), only_in(cf, base)


def summary_table(base: Runs, cf: Runs, lo: int, hi: int, period: tuple[dt.date, dt.date]) -> pd.DataFrame:
    """One row per metric (``SUMMARY_COLUMNS``): base and counterfactual averaged over seeds, and the
    paired per-seed difference's mean and 5-95% band.

    Args:
        base, cf: The runs, on the same seeds.
        lo, hi: The changed period as day indices (``hi`` exclusive); ``period`` as dates, for the text.
    """
    span = f"{period[0]} to {period[1]}"
    per_seed: list[tuple[str, str, np.ndarray, np.ndarray]] = [
        ("mean_tension", "Mean daily tension over the whole run.", base.tension.mean(1), cf.tension.mean(1)),
        ("mean_tension_changed_period", f"Mean daily tension over the changed period ({span}).",
         base.tension[:, lo:hi].mean(1), cf.tension[:, lo:hi].mean(1)),
        ("peak_tension_changed_period", f"Highest daily tension in the changed period ({span}).",
         base.tension[:, lo:hi].max(1), cf.tension[:, lo:hi].max(1)),
    ]  # fmt: skip

    def metric(runs: Runs, name: str) -> np.ndarray:
        return np.array([np.nan if s[name] is None else float(s[name]) for s in runs.summaries])

    # Every scalar outcome, base against counterfactual (mean over seeds; booleans as shares).
    per_seed += [(o.name, o.description, metric(base, o.name), metric(cf, o.name)) for o in scalar_outcomes()]
    for ch in base.suspended:
        per_seed.append((f"days_suspended.{ch}", f"Days the {ch} channel is suspended, whole run.",
                         base.suspended[ch].sum(1).astype(float), cf.suspended[ch].sum(1).astype(float)))  # fmt: skip
        per_seed.append((f"days_suspended_changed_period.{ch}", f"Days the {ch} channel is suspended in the changed period.",
                         base.suspended[ch][:, lo:hi].sum(1).astype(float), cf.suspended[ch][:, lo:hi].sum(1).astype(float)))  # fmt: skip

    # Per-kind counts under the names a sweep's runs.parquet gives them (runner.flatten: name.key).
    responses = outcome("response_counts")

    def count(runs: Runs, kind: str) -> np.ndarray:
        return np.array([float(s[responses.name].get(kind, 0)) for s in runs.summaries])

    kinds = sorted({k for runs in (base, cf) for s in runs.summaries for k in s[responses.name]})
    per_seed += [(f"{responses.name}.{k}", f"{responses.description} Kind: {k}.", count(base, k), count(cf, k))
                 for k in kinds]  # fmt: skip
    rows = []
    for name, text, b, c in per_seed:
        d = (c - b)[np.isfinite(c - b)]
        rows.append({
            "counterfactual": cf.scenario.name, "base": base.scenario.name, "metric": name, "description": text,
            "base_value": float(np.nanmean(b)) if np.isfinite(b).any() else np.nan,
            "cf_value": float(np.nanmean(c)) if np.isfinite(c).any() else np.nan,
            "diff_mean": float(d.mean()) if d.size else np.nan,
            "diff_q05": float(np.quantile(d, 0.05)) if d.size else np.nan,
            "diff_q95": float(np.quantile(d, 0.95)) if d.size else np.nan,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def _event_text(e: ScriptedEvent) -> str:
    """The event as a line: date, actors, kind, channel, then its facts (or its hand-set intensity)."""
    extra = f" {e.channel}" if e.channel else ""
    date = f"{e.date:%Y-%m}" if e.precision == "month" else str(e.date)
    stated = [e.facts.text()] if e.facts.text() else []
    if e.magnitude is not None and e.unit != "usd_bn":
        stated.append(f"{e.magnitude:g} {e.unit}".rstrip())
    if e.planned:
        stated.append("planned")
    if e.intensity is not None:
        stated.append(f"intensity {e.intensity:g}, set by hand")
    return f"{date} {e.sender}->{e.receiver} {e.kind}{extra}" + (f" ({'; '.join(stated)})" if stated else "")


def format_result(r: CounterfactualResult) -> str:
    """The summary of one counterfactual as plain text (rows where both sides are zero left out)."""
    seeds = tuple(dict.fromkeys(r.seeds))  # with posterior draws every seed runs once per draw
    draws = len(r.seeds) // len(seeds)
    shown = f"{seeds[0]}..{seeds[-1]}" if seeds == tuple(range(seeds[0], seeds[-1] + 1)) else ", ".join(map(str, seeds))
    runs = f" x {draws} posterior draws ({len(r.seeds)} runs)" if draws > 1 else ""
    lines = [f"{r.name} vs {r.base_runs.scenario.name}: {len(seeds)} seeds ({shown}){runs}, the same config and seeds "
             "for both"]
    lines += [f"  removed: {_event_text(e)}" for e in r.removed] + [f"  added:   {_event_text(e)}" for e in r.added]
    if not (r.removed or r.added):
        lines.append("  no scripted event differs from the base")
    lines.append(f"  changed period: {r.period[0]} to {r.period[1]}")
    lines.append(f"  {'metric (mean over seeds)':44s} {'base':>8s} {'cf':>8s}  {'cf - base [5%, 95%]':>26s}")

    def num(v: float) -> str:
        return "n/a" if pd.isna(v) else f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"

    for row in r.summary.itertuples():
        if not (abs(np.nan_to_num(row.base_value)) > 0 or abs(np.nan_to_num(row.cf_value)) > 0):
            continue
        band = f"{num(row.diff_mean)} [{num(row.diff_q05)}, {num(row.diff_q95)}]"
        lines.append(f"  {row.metric:44s} {num(row.base_value):>8s} {num(row.cf_value):>8s}  {band:>26s}")
    return "\n".join(lines)


def format_report(results: Sequence[CounterfactualResult], overrides: Sequence[str] = ()) -> str:
    """The summary of every counterfactual, with the config overrides used."""
    head = "Counterfactuals (config overrides: " + (" ".join(overrides) or "none") + ")"
    return "\n\n".join([head, *(format_result(r) for r in results)]) + "\n"


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "counterfactual"


def write_results(results: Sequence[CounterfactualResult], out_dir: Path, report: str, figures: bool = True,
                  started: str | None = None, record: dict | None = None) -> Path:  # fmt: skip
    """Write the tables, the report and the figures into ``out_dir`` all at once.

    Everything is written into a staging folder first
    (:func:`sim.outputs.io.staged_folder`). A new ``out_dir`` is that folder
    renamed (one atomic step); an existing one gets its files replaced one by
    one, ``summary.txt`` last, so a folder holding ``summary.txt`` is
    complete. On any error nothing is left behind.
    """
    names = [_file_name(r.name) for r in results]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise SimInputError("counterfactuals", "name", dup, "the same counterfactual name is given twice")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise SimInputError("command line", "--out", str(out_dir), "exists and is not a folder")
    with staged_folder(out_dir, marker="summary.txt", stale=("figures",)) as stage:
        pd.concat([r.differences for r in results], ignore_index=True).to_parquet(stage / "differences.parquet", index=False)
        pd.concat([r.summary for r in results], ignore_index=True).to_csv(stage / "summary.csv", index=False)
        if figures:
            from sim.teaching.counterfactual_figures import counterfactual_figure  # matplotlib only when drawing

            (stage / "figures").mkdir()
            for r, name in zip(results, names):
                counterfactual_figure(r).savefig(stage / "figures" / f"{name}.png", dpi=110)
        write_json(stage / "provenance.json", provenance(started or now()))
        if record is not None:  # the runs' scenarios, seeds and overrides (python -m sim.compare re-runs them)
            write_json(stage / "counterfactual.json", record)
        (stage / "summary.txt").write_text(report, encoding="utf-8")
    return out_dir
