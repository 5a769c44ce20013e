"""Counterfactuals: a scenario beside the historical replay, on the same seeds.

``python -m sim.counterfactual NAME [NAME ...] [--seeds N] [--base SCENARIO] [--window DAYS] [--out DIR] [overrides]``
runs the base scenario (default ``historical_2022_2024``) and each
counterfactual under one config and on the same seeds (``seed``, ``seed+1``,
... ``seed+N-1``; ``seed`` defaults to 0), so run ``k`` of either is exactly
``python -m sim scenario=... seed=k``. It writes ``differences.parquet`` (per
day: tension of base and counterfactual with 5-95% bands across seeds, their
paired difference, and the share of seeds with each channel suspended),
``summary.csv`` and ``summary.txt`` (outcome metrics, base against
counterfactual) and ``figures/<name>.png`` into
``results/counterfactuals/<timestamp>/``, all at once or not at all.

The same seed gives both scenarios the same random draws only until the first
changed event; after it the draws part ways, so paired differences after a
change mix its effect with different luck, which the 5-95% bands show.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.config.build import build_spec
from sim.config.calibration import posterior_configs, posterior_draws
from sim.config.cli import SOURCE, CommandParser, run_command
from sim.config.compose import compose_config
from sim.core.errors import SimInputError
from sim.experiments import runner
from sim.outputs import columns
from sim.outputs.metrics import summarize_arrays
from sim.outputs.nulls import with_nulls
from sim.outputs.provenance import now
from sim.teaching.counterfactual_report import changed_events, format_report, summary_table, write_results
from sim.teaching.counterfactual_results import DIFF_COLUMNS, CounterfactualResult, Runs

DEFAULT_BASE = "historical_2022_2024"
DEFAULT_SEEDS = 20
DEFAULT_WINDOW_DAYS = 90
RESULTS_DIR = Path("results") / "counterfactuals"
MAX_SEEDS = 10_000
# -- running -------------------------------------------------------------------------
def prepare(overrides: Sequence[str] = ()) -> tuple[DictConfig, dict[str, str]]:
    """Check the config overrides and compose the config both scenarios run under.

    Raises:
        SimInputError: an unknown key or option, a sweep, or a setting this command sets itself.
    """
    from hydra.errors import HydraException

    from sim.config.checks import check_overrides
    from sim.config.overrides import parse_overrides

    for ov in parse_overrides(overrides, SOURCE):
        key = ov.key_or_group
        if key == "scenario":
            raise SimInputError(SOURCE, key, ov.input_line, "give the counterfactual scenarios as arguments and the base with --base")
        if key in ("replicates", "workers") or key.startswith("hydra"):
            raise SimInputError(SOURCE, key, ov.input_line, "not used here: choose the number of seeds with --seeds")
        if ov.is_sweep_override():
            raise SimInputError(SOURCE, key, ov.input_line, "a comparison runs one config: run one command per value")
    check_overrides(list(overrides))
    try:
        return compose_config(list(overrides))
    except HydraException as e:
        raise SimInputError(SOURCE, "overrides", list(overrides), str(e).splitlines()[0]) from None


def seed_list(seeds: int | Sequence[int], first: int = 0) -> tuple[int, ...]:
    """``seeds`` seeds from ``first`` on, or the given seeds."""
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if not 1 <= seeds <= MAX_SEEDS:
            raise SimInputError(SOURCE, "--seeds", seeds, f"must be a whole number from 1 to {MAX_SEEDS}")
        return tuple(range(first, first + int(seeds)))
    out = tuple(int(s) for s in seeds)
    if not out or any(s < 0 for s in out):
        raise SimInputError(SOURCE, "seeds", list(seeds), "must be one or more whole numbers >= 0")
    return out


def run_scenario(cfg: DictConfig | Sequence[DictConfig], choices: dict[str, str], scenario: str,
                 seeds: Sequence[int]) -> Runs:  # fmt: skip
    """Run ``scenario`` under ``cfg`` once per seed, keeping only the arrays a comparison reads.

    Given several configs (posterior draws), every seed runs under each in turn: the runs are the pairs
    (draw, seed), in that order, and the base and a counterfactual share them.
    """
    configs = [cfg] if isinstance(cfg, DictConfig) else list(cfg)
    tension, suspended, summaries = [], [], []
    runner.quiet_mesa()
    for one in configs:
        one = copy.deepcopy(one)  # the caller's config serves every scenario
        one.scenario = str(scenario)
        spec = build_spec(one, choices)  # checks the scenario file: a SimInputError names it
        for run in runner.run_seeds(spec, seeds, runner.arrays):  # the fast path: no tables built
            tension.append(run.tension)
            suspended.append({columns.channel_name(col): s for col, s in run.suspended.items()})
            summaries.append(summarize_arrays(run))
    channels = list(suspended[0])
    return Runs(spec.scenario, tuple(seeds) * len(configs), np.vstack(tension),
                {c: np.vstack([s[c] for s in suspended]) for c in channels}, summaries)  # fmt: skip


def compare_counterfactuals(
    names: Sequence[str],
    seeds: int | Sequence[int] = DEFAULT_SEEDS,
    overrides: Sequence[str] = (),
    base: str = DEFAULT_BASE,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[CounterfactualResult]:
    """Run the base once and each counterfactual on the same seeds and config; compare each with the base.

    Args:
        names: Counterfactual scenario names (``scenarios/``) or paths.
        seeds: How many seeds (from the config's ``seed``, default 0), or the seeds themselves.
        overrides: Hydra overrides for both (rules, parameters, ``seed``, ``posterior_draws``), as for ``python -m sim``.
        base: The scenario to compare against.
        window_days: The changed period runs this many days past the last changed event.

    Raises:
        SimInputError: a bad scenario, override or seed count, before anything runs.
    """
    cfg, choices = prepare(overrides)
    first = cfg.get("seed", 0)
    if isinstance(first, bool) or not isinstance(first, int) or first < 0:
        raise SimInputError(SOURCE, "seed", first, "must be a whole number >= 0")
    seeds = seed_list(seeds, first)
    draws = posterior_draws(cfg)
    # With posterior_draws=N every seed runs under each of N parameter sets drawn from the calibration's posterior,
    # so the comparison carries parameter uncertainty as well as seed noise.
    configs = [c for _, c in posterior_configs(cfg, choices, overrides, draws, first)] if draws else cfg
    base_runs = run_scenario(configs, choices, base, seeds)
    return [compare(base_runs, run_scenario(configs, choices, n, seeds), window_days) for n in names]


def compare_counterfactual(name: str, seeds: int | Sequence[int] = DEFAULT_SEEDS, overrides: Sequence[str] = (),
                           base: str = DEFAULT_BASE, window_days: int = DEFAULT_WINDOW_DAYS) -> CounterfactualResult:  # fmt: skip
    """One counterfactual beside the base (see :func:`compare_counterfactuals`)."""
    return compare_counterfactuals([name], seeds, overrides, base, window_days)[0]


# -- comparing -------------------------------------------------------------------------
def _band(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return x.mean(axis=0), np.quantile(x, 0.05, axis=0), np.quantile(x, 0.95, axis=0)


def compare(base: Runs, cf: Runs, window_days: int = DEFAULT_WINDOW_DAYS) -> CounterfactualResult:
    """The per-day differences and the summary of ``cf`` against ``base`` (same seeds, same dates)."""
    sb, sc = base.scenario, cf.scenario
    for f in ("start", "end"):
        if getattr(sb, f) != getattr(sc, f):
            raise SimInputError(sc.path, f, str(getattr(sc, f)), f"must equal the base's {f} {getattr(sb, f)} for a day-by-day comparison")
    if base.seeds != cf.seeds:
        raise ValueError("a counterfactual must run on the base's seeds")
    removed, added = changed_events(sb, sc)
    dates = [e.date for e in (*removed, *added)]
    if dates:
        period = (min(dates), min(max(dates) + dt.timedelta(days=int(window_days)), sb.end))
    else:  # nothing scripted changed (posts or settings may have): the whole run is the period
        period = (sb.start, sb.end)
    n = base.tension.shape[1]
    date_index = pd.date_range(pd.Timestamp(sb.start), periods=n, freq="D")
    common = {"counterfactual": sc.name, "base": sb.name, "date": date_index, "step": np.arange(n)}
    parts = []
    (bm, b5, b95), (cm, c5, c95), (dm, d5, d95) = _band(base.tension), _band(cf.tension), _band(cf.tension - base.tension)
    parts.append(pd.DataFrame({**common, "variable": "tension", "channel": None, "base_mean": bm, "base_q05": b5,
                               "base_q95": b95, "cf_mean": cm, "cf_q05": c5, "cf_q95": c95, "diff_mean": dm,
                               "diff_q05": d5, "diff_q95": d95}))  # fmt: skip
    for ch in base.suspended:
        share_b, share_c = base.suspended[ch].mean(axis=0), cf.suspended[ch].mean(axis=0)
        parts.append(pd.DataFrame({**common, "variable": "suspended_share", "channel": ch, "base_mean": share_b,
                                   "cf_mean": share_c, "diff_mean": share_c - share_b}))  # fmt: skip
    # The tension rows concern no channel, and a share has no band: null there (sim.outputs.nulls).
    diffs = with_nulls(pd.concat(parts, ignore_index=True).reindex(columns=list(DIFF_COLUMNS)), {"channel": "string"})
    lo, hi = (period[0] - sb.start).days, (period[1] - sb.start).days + 1
    summary = summary_table(base, cf, lo, hi, period)
    return CounterfactualResult(sc.name, base, cf, removed, added, period, diffs, summary)


# -- command line ----------------------------------------------------------------------------
def _parser():
    """The command's parser (its errors are one ``error: ...`` line and exit code 2, like every command's)."""
    p = CommandParser(prog="python -m sim.counterfactual", description=__doc__.split("\n")[0])
    p.add_argument("items", nargs="+", metavar="SCENARIO|OVERRIDE",
                   help="counterfactual scenarios (names in scenarios/ or paths), and config overrides key=value")
    p.add_argument("--seeds", default=str(DEFAULT_SEEDS), help=f"number of seeds, from the config's seed on (default {DEFAULT_SEEDS})")
    p.add_argument("--base", default=DEFAULT_BASE, help=f"the scenario to compare against (default {DEFAULT_BASE})")
    p.add_argument("--window", default=str(DEFAULT_WINDOW_DAYS),
                   help=f"days after the last changed event that the changed period covers (default {DEFAULT_WINDOW_DAYS})")
    p.add_argument("--out", help="output folder (default results/counterfactuals/<timestamp>)")
    return p  # fmt: skip


def _whole(text: str, flag: str, lo: int, hi: int) -> int:
    if not re.fullmatch(r"\d+", text.strip()) or not lo <= int(text) <= hi:
        raise SimInputError(SOURCE, flag, text, f"must be a whole number from {lo} to {hi}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.counterfactual``: see the module docstring."""
    return run_command(lambda: _main(list(sys.argv[1:] if argv is None else argv)))


def _main(argv: list[str]) -> int:
    started = now()
    args = _parser().parse_intermixed_args(argv)
    overrides = [a for a in args.items if "=" in a]
    names = [a for a in args.items if "=" not in a]
    if not names:
        raise SimInputError(SOURCE, "scenarios", args.items, "name at least one counterfactual scenario")
    seeds = _whole(args.seeds, "--seeds", 1, MAX_SEEDS)
    window = _whole(args.window, "--window", 0, 36_500)
    results = compare_counterfactuals(names, seeds, overrides, args.base, window)
    cfg, _ = compose_config(overrides)  # cached: the config the runs used, for its `figures` switch
    report = format_report(results, overrides)
    out = Path(args.out) if args.out else RESULTS_DIR / dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    # What the folder's runs were, so python -m sim.compare can re-run them (sim.experiments.rerun).
    record = {"base": args.base, "counterfactuals": names, "seeds": list(results[0].base_runs.seeds),
              "overrides": overrides, "window_days": window, "posterior_draws": int(cfg.get("posterior_draws", 0) or 0),
              "n_signals": {args.base: [s["n_signals"] for s in results[0].base_runs.summaries],
                            **{n: [s["n_signals"] for s in r.cf_runs.summaries] for n, r in zip(names, results)}}}  # fmt: skip
    out = write_results(results, out, report, figures=bool(cfg.get("figures", True)), started=started, record=record)
    print(report.rstrip())
    print(f"\nresults: {out.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
