"""The report of ``python -m sim.calibrate``: the calibrated, default and null models compared on one set of seeds.

Writes ``report.md``, ``comparison.csv``, ``trials.csv`` and ``figures/`` into the study's folder from the
comparison rows :func:`sim.history.calibrate.report` computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.config.search_space import Param
from sim.history.checks import declare_checks
from sim.history.compare import Documented, summarize_comparison
from sim.outputs.io import write_text


def write_report(cfg: DictConfig, study, params: Sequence[Param], groups: Mapping[str, pd.DataFrame],
                 calibrated_steps: list[pd.DataFrame], doc: Documented, folder: Path) -> dict[str, Any]:
    """Write the report of the calibrated, default and null models' comparison rows (``groups``, one per
    seed); return the summary (best parameters, objective, median fits, margins)."""
    seeds = int(cfg.seeds)
    best = study.best_params
    comparison = pd.concat([g.assign(model=name) for name, g in groups.items()], ignore_index=True)
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    comparison.to_csv(folder / "comparison.csv", index=False)
    study.trials_dataframe().to_csv(folder / "trials.csv", index=False)
    fits = {name: g["fit"].astype(float).to_numpy() for name, g in groups.items()}
    objective = str(cfg.get("objective", "skill"))
    lines = [
        f"# Calibration report: study `{cfg.study}`", "",
        f"{len(study.trials)} trials (Optuna TPE, sampler seed {cfg.sampler_seed}), {seeds} model seeds per trial; "
        f"scenario overrides: {list(cfg.model_overrides)}; objective: `{objective}` (best "
        f"{study.best_value:+.3f}: " + ("mean skill against the null model on every fact, in sample; "
        "`python -m sim.validate` reports it with intervals" if objective == "skill" else "the fit score") + ").", "",
        "## Fit score over the same seeds (median [5%, 95%])", "",
        "| model | fit | lags | status | thaw | order |", "|---|---|---|---|---|---|",
    ]  # fmt: skip
    for name, g in groups.items():
        cells = [_spread(g[c]) for c in ("fit", "score.lags", "score.status", "score.thaw", "score.order")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    margin = {k: float(np.median(fits["calibrated"]) - np.median(fits[k])) for k in ("default", "null")}
    lines += ["", f"Calibrated minus default: {margin['default']:+.3f}; calibrated minus null: {margin['null']:+.3f} (medians).",
              "", "## Calibrated parameters", "", "| parameter | config key | value | range |", "|---|---|---|---|"]  # fmt: skip
    for p in params:
        lines.append(f"| {p.name} | `{p.key}` | {best[p.name]:.4g} | [{p.low:g}, {p.high:g}] |")
    summary = summarize_comparison(groups["calibrated"]).set_index("item")
    lines += ["", "## Checks (fraction of seeds passing, calibrated model)", ""]
    for key, text in ((c.name, c.text) for c in declare_checks(doc)):
        rate = summary.loc[f"check.{key}", "pass_rate"] if f"check.{key}" in summary.index else None
        lines.append(f"- {'n/a' if rate is None or pd.isna(rate) else f'{rate:.0%}'}: {text}")
    lines += ["", "## Lags (days), calibrated model: simulated median [5%, 95%] vs documented", ""]
    for col in (c for c in groups["calibrated"].columns if c.startswith("lag.") and c.endswith(".sim")):
        docd = groups["calibrated"][col.removesuffix(".sim") + ".doc"].iloc[0]
        lines.append(f"- {col[4:-4]}: {_spread(groups['calibrated'][col])} vs {docd}")
    lines += ["", "Figures: `figures/fit.png`, `figures/channels.png`, `figures/lags.png`."]
    _figures(groups, calibrated_steps, doc, folder / "figures")
    write_text(folder / "report.md", "\n".join(lines) + "\n")
    return {"best_params": best, "objective": objective, "best_value": float(study.best_value),
            "median_fit": {k: float(np.median(v)) for k, v in fits.items()}, "margin": margin}


def _spread(col: pd.Series) -> str:
    v = col.dropna().astype(float).to_numpy()
    if not v.size:
        return "n/a"
    return f"{np.median(v):.3f} [{np.quantile(v, 0.05):.3f}, {np.quantile(v, 0.95):.3f}]"


def _figures(groups: Mapping[str, pd.DataFrame], steps: list[pd.DataFrame], doc: Documented, folder: Path) -> None:
    from sim.history.figures import channel_comparison_figure, fit_figure, lag_figure

    fit_figure({k: g["fit"].astype(float).tolist() for k, g in groups.items()}).savefig(folder / "fit.png", dpi=110)
    lag_figure(groups["calibrated"], doc.measures).savefig(folder / "lags.png", dpi=110)
    title = f"Documented vs simulated channels (calibrated model, {len(steps)} seeds)"
    channel_comparison_figure(steps, doc.spells, title).savefig(folder / "channels.png", dpi=110)
