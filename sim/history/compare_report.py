"""Many runs against the documented timeline: the per-run table, its summary and a text report."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.history.assess import FIT_WEIGHTS, assess
from sim.history.checks import declare_checks
from sim.history.documented import Documented
from sim.outputs.io import Run, read_run


def compare_runs(runs: Iterable[Run | Any], doc: Documented | None = None) -> pd.DataFrame:
    """One row per run with every comparison item (see :func:`sim.history.assess.assess`).

    Args:
        runs: :class:`~sim.outputs.io.Run` objects, run results (anything with ``.events`` and
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


def format_report(per_run: pd.DataFrame, doc: Documented | None = None) -> str:
    """A plain-text report: lags, status, thaw, checks and the fit score.

    ``doc`` (default: the shipped timeline's) gives the lag measures and the checks' sentences.
    """
    doc = doc or Documented()
    summary = summarize_comparison(per_run).set_index("item")
    n = len(per_run)
    lines = [f"Comparison with the documented 2022-2024 timeline over {n} run{'s' if n != 1 else ''}", ""]

    def num(item: str) -> str:
        if item not in summary.index or pd.isna(summary.loc[item, "median"]):
            return "n/a"
        r = summary.loc[item]
        return f"{r['median']:.3g}" + (f" [{r['q05']:.3g}, {r['q95']:.3g}]" if n > 1 else "")

    lines.append("Lags from trigger (days): simulated median [5%, 95%] vs documented")
    for m in doc.measures:
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
    for check in declare_checks(doc):
        col = f"check.{check.name}"
        rate = summary.loc[col, "pass_rate"] if col in summary.index else None
        shown = "n/a" if rate is None or pd.isna(rate) else f"{rate:.0%}"
        lines.append(f"  {shown:>5s}  {check.text}")
    lines += ["", "Fit score (0..1, higher is better): " + num("fit")]
    weights = ", ".join(f"{k} {w:g}" for k, w in FIT_WEIGHTS.items())
    parts = ", ".join(f"{k} {num('score.' + k)}" for k in FIT_WEIGHTS)
    lines.append(f"  components: {parts}  (weights: {weights})")
    return "\n".join(lines)


def json_ready(obj: Any) -> Any:
    """Replace NaN by None, recursively, so the result is valid JSON."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [json_ready(v) for v in obj]
    return obj
