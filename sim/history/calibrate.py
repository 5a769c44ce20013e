"""``python -m sim.calibrate``: fit the rules' parameters to the documented episodes.

An Optuna study (TPE sampler) maximises the mean fit score (``sim.history.compare``)
over ``seeds`` model seeds. Trials are stored in
``results/calibration/<study>/study.db``: re-running the command resumes the
study and adds trials until it has ``trials``. Trial ``n`` is drawn by a
sampler seeded with ``sampler_seed + n``, so an interrupted and resumed study
draws the same trials as an uninterrupted one.

At the end it evaluates the best parameters, the uncalibrated defaults and a
null model (no retaliation, no thaw) on the same seeds, writes a report
(``report.md``, ``trials.csv``, ``comparison.csv``, ``figures/``) and, unless
``write_config=false``, the calibrated config that the default run uses:
``configs/calibration/<study>.yaml`` plus one calibrated option file per rule
it touches (``configs/rules/<family>/<rule>_<study>.yaml``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
import yaml
from omegaconf import DictConfig, OmegaConf

from sim.config.build import build_spec
from sim.config.compose import CONFIG_DIR, compose_config
from sim.config.search_space import Param
from sim.config.search_space import read_params as read_space
from sim.core.errors import SimInputError
from sim.experiments.runner import quiet_mesa, run_seeds, tables
from sim.history.checks import declare_checks
from sim.history.compare import Documented, Run, assess, summarize_comparison
from sim.outputs.io import write_json, write_text

REPO = CONFIG_DIR.parent
UNCALIBRATED = "~calibration"
NULL_MODEL = (
    "rules/retaliation@governments.CHN.retaliation=none", "rules/thaw@governments.CHN.thaw=none",
    "rules/retaliation@governments.USA.retaliation=none", "rules/thaw@governments.USA.thaw=none",
)  # fmt: skip


def read_params(cfg: DictConfig) -> list[Param]:
    """The parameters named in ``fit``, checked against ``params``."""
    space = OmegaConf.to_container(cfg.params, resolve=True)
    assert isinstance(space, dict)
    return read_space(list(cfg.fit), space, "configs/calibrate.yaml", "fit")


def overrides_for(values: Mapping[str, float], params: Sequence[Param]) -> list[str]:
    return [f"{p.key}={int(values[p.name]) if p.integer else repr(float(values[p.name]))}" for p in params]


def evaluate(
    overrides: Sequence[str], seeds: int, doc: Documented, keep_steps: list[pd.DataFrame] | None = None
) -> pd.DataFrame:
    """Run the model on seeds ``0..seeds-1`` with ``overrides``; one comparison row per run.

    Args:
        keep_steps: If given, each run's steps table is appended to it (for figures).
    """
    spec = build_spec(*compose_config(list(overrides)))  # once: every seed runs the same spec
    rows = []
    for seed, (events, steps) in zip(range(seeds), run_seeds(spec, range(seeds), tables)):
        if keep_steps is not None:
            keep_steps.append(steps)
        rows.append(assess(Run(events, steps, f"seed {seed}"), doc))
    return pd.DataFrame(rows)


def check_keys(base: Sequence[str], params: Sequence[Param]) -> None:
    """Every parameter's key must exist in the model config (composed uncalibrated)."""
    cfg, _ = compose_config([*base, UNCALIBRATED])
    for p in params:
        if OmegaConf.select(cfg, p.key, default=None) is None:
            raise SimInputError("configs/calibrate.yaml", f"params.{p.name}.key", p.key, "not a key of the model config")


def fit_objective(cfg: DictConfig, doc: Documented):
    """The in-sample objective: the mean fit score (:data:`sim.history.assess.FIT_WEIGHTS`) over the seeds."""

    def objective(overrides: Sequence[str]) -> tuple[float, dict[str, float]]:
        per_run = evaluate(overrides, int(cfg.seeds), doc)
        attrs = {c: float(per_run[c].mean()) for c in ("score.lags", "score.status", "score.thaw", "score.order")}
        return float(per_run["fit"].mean()), attrs

    return objective


def optimise(cfg: DictConfig, params: Sequence[Param], folder: Path, objective):
    """Run (or resume) the study until it has ``cfg.trials`` trials, maximising ``objective(overrides)``; return it."""
    import optuna
    from tqdm import tqdm

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folder.mkdir(parents=True, exist_ok=True)
    study = optuna.create_study(
        study_name=str(cfg.study), storage=f"sqlite:///{folder / 'study.db'}", direction="maximize", load_if_exists=True
    )
    dists = {p.name: p.distribution() for p in params}
    base = [*cfg.model_overrides, UNCALIBRATED]
    with tqdm(total=int(cfg.trials), initial=min(len(study.trials), int(cfg.trials)), desc="calibration trials",
              unit="trial", file=sys.stderr) as bar:  # fmt: skip
        while len(study.trials) < int(cfg.trials):
            study.sampler = optuna.samplers.TPESampler(seed=int(cfg.sampler_seed) + len(study.trials))
            trial = study.ask(dists)
            try:
                value, attrs = objective([*base, *overrides_for(trial.params, params)])
            except SimInputError as e:  # a parameter combination the model refuses
                trial.set_user_attr("error", str(e))
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            else:
                for col, v in attrs.items():
                    trial.set_user_attr(col, v)
                study.tell(trial, value)
            bar.update(1)
            if study.best_trials:
                bar.set_postfix(best=f"{study.best_value:.3f}")
    return study


def calibrated_files(cfg: DictConfig, best: Mapping[str, float], params: Sequence[Param]) -> dict[Path, str]:
    """The calibrated config: rule option files for rule parameters, global values for the rest."""
    base = [*cfg.model_overrides, UNCALIBRATED]
    tuned, choices = compose_config([*base, *overrides_for(best, params)])
    study = str(cfg.study)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = f"# Calibrated by `python -m sim.calibrate study={study}` on {stamp}; do not edit by hand.\n"
    rule_packages = {k.partition("@")[2]: (k.partition("@")[0], v) for k, v in choices.items() if k.startswith("rules/")}
    out_dir = REPO / str(cfg.config_out)
    files: dict[Path, str] = {}
    overrides: list[str] = []
    direct: dict[str, Any] = {}
    main_body = _main_config_body()
    for p in params:
        packages = [pkg for pkg in rule_packages if p.key.startswith(pkg + ".")]
        if not packages or OmegaConf.select(main_body, p.key) is not None:
            # A government or regional parameter, or a rule parameter that config.yaml itself sets
            # (its values are merged after the rule files, so only this file, merged last, wins): set it directly.
            parts = p.key.split(".")
            # A list (the repertoire) is written whole: OmegaConf replaces lists on merge.
            at = next((i for i, part in enumerate(parts) if part.isdigit()), len(parts))
            key = ".".join(parts[:at])
            value = OmegaConf.select(tuned, key)
            direct[key] = OmegaConf.to_container(value, resolve=True) if OmegaConf.is_config(value) else value
            continue
        package = min(packages, key=len)  # the government's top-level rule, wrapping any inner one
        group, option = rule_packages[package]
        option = option.removesuffix(f"_{study}")
        name = f"{option}_{study}"
        node = OmegaConf.to_container(OmegaConf.select(tuned, package), resolve=True)
        files[out_dir / group / f"{name}.yaml"] = header + yaml.safe_dump(node, sort_keys=False)
        line = f"override /{group}@{package}: {name}"
        if line not in overrides:
            overrides.append(line)
    node_all = OmegaConf.create({})
    for key, value in direct.items():
        OmegaConf.update(node_all, key, value, force_add=True)
    body = OmegaConf.to_container(node_all)
    text = "# @package _global_\n" + header  # Hydra reads the package line only as the file's first line
    if overrides:
        text += "defaults:\n" + "".join(f"  - {o}\n" for o in overrides)
    if body:
        text += yaml.safe_dump(body, sort_keys=False)
    files[out_dir / "calibration" / f"{study}.yaml"] = text
    return files


def _main_config_body() -> DictConfig:
    """The values configs/config.yaml sets itself (its defaults list and Hydra settings left out)."""
    data = yaml.safe_load((CONFIG_DIR / "config.yaml").read_text()) or {}
    return OmegaConf.create({k: v for k, v in data.items() if k not in ("defaults", "hydra")})


def write_files(files: Mapping[Path, str]) -> None:
    for path, text in files.items():
        write_text(path, text)


def report(cfg: DictConfig, study, params: Sequence[Param], doc: Documented, folder: Path) -> dict[str, Any]:
    """Evaluate calibrated, default and null models on the same seeds; write the report."""
    seeds = int(cfg.seeds)
    best = study.best_params
    base = list(cfg.model_overrides)
    calibrated_steps: list[pd.DataFrame] = []
    groups = {
        "calibrated": evaluate([*base, UNCALIBRATED, *overrides_for(best, params)], seeds, doc, calibrated_steps),
        "default": evaluate([*base, UNCALIBRATED], seeds, doc),
        "null": evaluate([*base, UNCALIBRATED, *NULL_MODEL], seeds, doc),
    }
    comparison = pd.concat([g.assign(model=name) for name, g in groups.items()], ignore_index=True)
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    comparison.to_csv(folder / "comparison.csv", index=False)
    study.trials_dataframe().to_csv(folder / "trials.csv", index=False)
    fits = {name: g["fit"].astype(float).to_numpy() for name, g in groups.items()}
    lines = [
        f"# Calibration report: study `{cfg.study}`", "",
        f"{len(study.trials)} trials (Optuna TPE, sampler seed {cfg.sampler_seed}), {seeds} model seeds per trial; "
        f"scenario overrides: {list(cfg.model_overrides)}.", "",
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
    result = {"best_params": best, "median_fit": {k: float(np.median(v)) for k, v in fits.items()}, "margin": margin,
              "overrides": overrides_for(best, params)}  # fmt: skip
    write_json(folder / "summary.json", result)
    return result


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


def run_calibration(cfg: DictConfig) -> dict[str, Any]:
    """The whole command: check, optimise (or resume), report, write the calibrated config."""
    quiet_mesa()
    logging.getLogger("optuna").setLevel(logging.WARNING)
    params = read_params(cfg)
    check_keys(list(cfg.model_overrides), params)
    for name in ("trials", "seeds", "sampler_seed"):
        v, least = cfg[name], 0 if name == "sampler_seed" else 1
        if isinstance(v, bool) or not isinstance(v, int) or v < least:
            raise SimInputError("configs/calibrate.yaml", name, v, f"must be a whole number of at least {least}")
    doc = Documented()
    split = str(cfg.get("split", "none"))
    if split != "none":
        return _calibrate_split(cfg, params, doc)
    folder = REPO / str(cfg.results_dir) / str(cfg.study)
    study = optimise(cfg, params, folder, fit_objective(cfg, doc))
    if not study.best_trials:
        raise SimInputError(str(folder / "study.db"), "trials", len(study.trials), "no trial completed")
    result = report(cfg, study, params, doc, folder)
    if cfg.write_config:
        files = calibrated_files(cfg, study.best_params, params)
        write_files(files)
        result["written"] = [str(p) for p in files]
    return result


def _calibrate_split(cfg: DictConfig, params: Sequence[Param], doc: Documented) -> dict[str, Any]:
    """A study on one fold's training part (:mod:`sim.history.calibrate_split`); never writes the shipped config."""
    from sim.history.calibrate_split import check_resumable, split_study, write_split_summary

    s = split_study(cfg, doc, [*cfg.model_overrides, UNCALIBRATED], NULL_MODEL)
    study_cfg = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
    study_cfg.study = s.name
    folder = REPO / str(cfg.results_dir) / s.name
    check_resumable(folder, cfg)
    study = optimise(study_cfg, params, folder, s.objective)
    if not study.best_trials:
        raise SimInputError(str(folder / "study.db"), "trials", len(study.trials), "no trial completed")
    return write_split_summary(cfg, s, study, params, overrides_for(study.best_params, params), folder)


@hydra.main(config_path=str(CONFIG_DIR), config_name="calibrate", version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        result = run_calibration(cfg)
    except SimInputError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    if "split" in result:
        print(f"Calibration done on the training part of split {result['split']} (fold {result['fold']}): "
              f"mean skill against the null model {result['training_skill']:+.3f} on training facts")  # fmt: skip
        print(f"  summary: {result['folder']}/summary.json (python -m sim.validate split=... reads it)")
        return
    folder = Path(str(cfg.results_dir)) / str(cfg.study)
    print(f"Calibration done: median fit calibrated {result['median_fit']['calibrated']:.3f}, "
          f"default {result['median_fit']['default']:.3f}, null {result['median_fit']['null']:.3f}")  # fmt: skip
    print(f"  report: {folder / 'report.md'}")
    for path in result.get("written", []):
        print(f"  wrote {path}")
    if math.isnan(result["median_fit"]["calibrated"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
