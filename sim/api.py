"""Run the model from Python, composing the same Hydra config as the command line.

Example::

    from sim import run, run_many
    r = run(scenario="baseline", seed=3)
    r.steps.plot(x="date", y="tension_USA_CHN")
    table = run_many(seeds=range(100), scenario="baseline")   # one row per run, as a sweep's runs.parquet
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.config.build import ModelSpec, build_spec
from sim.config.calibration import posterior_draws
from sim.config.overrides import checked_seed, configure, configure_split, keyword_overrides, split_overrides
from sim.core.errors import SimInputError
from sim.experiments.runner import quiet_mesa
from sim.outputs.io import write_run
from sim.outputs.metrics import summarize
from sim.outputs.provenance import now, provenance
from sim.outputs.tables import events_frame, steps_frame


@dataclass
class RunResult:
    """One finished run.

    Attributes:
        events: One row per signal (see README, "Outputs").
        steps: One row per simulated day.
        summary: The outcome metrics (``sim.outputs.metrics.OUTCOMES``) and run identity (the written
            ``summary.json`` adds its ``provenance``: :mod:`sim.outputs.provenance`).
        output_dir: Where the run was written, or None if it was kept in memory.
        notices: One-line remarks on the input that are no errors (:func:`override_notice`);
            ``python -m sim`` prints them on stderr.
    """

    events: pd.DataFrame
    steps: pd.DataFrame
    summary: dict[str, Any]
    output_dir: Path | None = None
    config_factory: Callable[[], DictConfig] | None = field(default=None, repr=False)
    notices: tuple[str, ...] = ()

    @property
    def config(self) -> DictConfig | None:
        """The composed config the run used (made on request: a copy costs more than a fast run's overhead)."""
        return None if self.config_factory is None else self.config_factory()


_LISTED = 10
"""How many overriding events :func:`override_notice` names before it counts the rest."""


def override_notice(scenario: Any) -> str:
    """The one line saying which of a scenario's events set ``intensity`` by hand ("" if none does).

    Such an event's weight is the number the scenario states, not the weight
    scale's reading of its facts (``sim/data/weight_scale.csv``).
    """
    overrides = tuple(getattr(scenario, "overrides", ()))
    if not overrides:
        return ""
    named = [getattr(e, "origin", "") or f"events[{e.index}]" for e in sorted(overrides, key=lambda e: e.index)]
    if len(named) > _LISTED:
        named = [*named[:_LISTED], f"and {len(named) - _LISTED} more"]
    n = len(overrides)
    verb = "event sets" if n == 1 else "events set"
    return (f"notice: {scenario.path}: {n} {verb} intensity ({', '.join(named)}), "
            "which overrides the weight scale (sim/data/weight_scale.csv)")  # fmt: skip


def execute(
    cfg: DictConfig,
    output_dir: Path | None = None,
    choices: Mapping[str, str] | None = None,
    save_config: bool = False,
) -> RunResult:
    """Build, run and summarise one model; write it to ``output_dir`` if given.

    Raises:
        SimInputError: on bad input, before anything is written.
    """
    started = now()
    _refuse_draws(cfg)
    spec = build_spec(cfg, choices)
    return _run_spec(spec, spec.seed, output_dir, started, bool(cfg.get("figures", True)),
                     (lambda: OmegaConf.to_yaml(cfg)) if save_config else None, lambda: cfg)  # fmt: skip


def _refuse_draws(cfg: DictConfig) -> None:
    if posterior_draws(cfg):
        raise SimInputError("configs/config.yaml", "posterior_draws", cfg.get("posterior_draws"), "a single run is one "
                            "parameter set: draw from the posterior in a sweep (python -m sim -m posterior_draws=N)")  # fmt: skip


def _run_spec(spec: ModelSpec, seed: int, output_dir: Path | None, started: str, figures: bool,
              config_text: Callable[[], str] | None, config: Callable[[], DictConfig] | None) -> RunResult:  # fmt: skip
    """Run ``spec`` with ``seed``, summarise it, write the run folder if ``output_dir`` is given."""
    quiet_mesa()
    model = spec.model(seed)
    threshold = spec.crisis_threshold
    model.run()
    events, steps = events_frame(model), steps_frame(model)
    summary = {
        "scenario": model.scenario_spec.name,
        "seed": model.seed_value,
        "start": str(model.scenario_spec.start),
        "end": str(model.scenario_spec.end),
        "rules": {
            code: {"retaliation": g.retaliation.label, "thaw": g.thaw.label} for code, g in model.governments.items()
        },
        **summarize(events, steps, threshold),
    }
    if output_dir is not None:
        draw = None
        if figures:
            label = f"{model.scenario_spec.name}, seed {model.seed_value}"

            def draw(folder: Path) -> None:
                from sim.history.documented import replayed_spells
                from sim.outputs.figures import write_figures  # matplotlib costs 0.45 s to import: only when drawing

                write_figures(events, steps, threshold, folder, label, _replicate_steps(spec, seed),
                              replayed_spells(model.scenario_spec.name))  # fmt: skip

        texts = {"config.yaml": config_text()} if config_text is not None else None
        write_run(Path(output_dir), events, steps, {**summary, "provenance": provenance(started)}, draw, texts)
    notice = override_notice(model.scenario_spec)
    return RunResult(events, steps, summary, Path(output_dir) if output_dir else None, config, (notice,) if notice else ())


def _replicate_steps(spec: ModelSpec, seed: int) -> list[pd.DataFrame] | None:
    """With ``replicates=N`` > 1, the steps tables of the N runs a sweep job of this config and seed would
    make (:func:`sim.experiments.sweep.replicate_seeds`), for the figures' bands over seeds; else None."""
    if spec.replicates <= 1:
        return None
    from sim.experiments.runner import run_seeds, steps
    from sim.experiments.sweep import replicate_seeds

    return list(run_seeds(spec, replicate_seeds(seed, spec.replicates), steps))


@dataclass(frozen=True)
class _Prepared:
    """A composed config (plain values but the seed set) and its built spec, shared by runs that differ in seed."""

    cfg: DictConfig
    choices: dict[str, str]
    spec: ModelSpec


_PREPARED: dict[tuple, _Prepared] = {}
_PREPARED_MAX = 64


def _prepared(composed: list[str], values: list[tuple[str, Any]]) -> _Prepared:
    """The config and spec of these overrides, built once while no config file and no scenario file changes."""
    from sim.config.compose import config_stamp
    from sim.core.scenario_files import load_scenario

    key = (tuple(composed), tuple((k, repr(v)) for k, v in values), config_stamp(composed))
    hit = _PREPARED.get(key)
    # A scenario file read again (it changed) is a new object: the spec built from the old one is stale.
    if hit is not None and load_scenario(str(hit.cfg.scenario)) is hit.spec.scenario:
        return hit
    cfg, choices = configure_split(composed, values)
    _refuse_draws(cfg)
    prepared = _Prepared(cfg, choices, build_spec(cfg, choices))
    if len(_PREPARED) >= _PREPARED_MAX:
        _PREPARED.pop(next(iter(_PREPARED)))
    _PREPARED[key] = prepared
    return prepared


def run(
    scenario: str | Sequence[str] | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    output_dir: str | Path | None = None,
    *,
    rules: Mapping[str, str] | None = None,
    config_dir: str | Path | Sequence[str | Path] | None = None,
) -> RunResult:
    """Run one simulation from Python.

    Args:
        scenario: A shipped scenario's name or a scenario file's path (default: the config's,
            ``historical_2022_2024``). A list here is read as ``overrides`` (the older call form
            ``run(["scenario=baseline", "seed=3"])``).
        seed: The run's seed (default: the config's, 0).
        overrides: Hydra overrides, as on the command line
            (``["governments.CHN.retaliation.trigger=0.5"]``).
        output_dir: If given, write the run folder there (tables, figures, summary with its
            provenance, and the composed config as ``config.yaml``).
        rules: Rule choices by government and family, e.g. ``{"CHN.retaliation": "tit_for_tat"}``
            (``rules/retaliation@governments.CHN.retaliation=tit_for_tat``).
        config_dir: Your own config folder(s), searched beside the shipped ``configs/`` (the command
            line's ``--config-dir``): a file ``rules/retaliation/mine.yaml`` there makes
            ``rules={"CHN.retaliation": "mine"}`` a choice.

    Returns:
        The run's tables and summary, the same as ``python -m sim`` with the same settings writes.

    The config is composed once per set of group choices (scenario, seed and other plain values are
    set on a copy, :func:`sim.config.overrides.configure`), so a loop over seeds costs the model's time, not Hydra's.
    """
    started = now()
    if isinstance(overrides, str):
        raise SimInputError("run()", "overrides", overrides, "a list of overrides: overrides=['key=value', ...]")
    if isinstance(scenario, (list, tuple)):  # the older form run(overrides, output_dir)
        if isinstance(seed, (str, Path)) and output_dir is None:
            output_dir, seed = seed, None
        overrides, scenario = [*scenario, *overrides], None
    composed, values = split_overrides(keyword_overrides(scenario, seed, rules, overrides, config_dir))
    seeds = [v for k, v in values if k == "seed"]
    prep = _prepared(composed, [(k, v) for k, v in values if k != "seed"])
    the_seed = prep.spec.seed if not seeds else checked_seed(seeds[-1])
    out = Path(output_dir) if output_dir else None

    def config() -> DictConfig:  # the composed config as this run used it (its seed set)
        cfg = pickle.loads(pickle.dumps(prep.cfg))
        cfg.seed = the_seed
        return cfg

    return _run_spec(prep.spec, the_seed, out, started, bool(prep.cfg.get("figures", True)),
                     lambda: OmegaConf.to_yaml(config()), config)  # fmt: skip


def run_many(
    seeds: Iterable[int],
    scenario: str | None = None,
    overrides: Sequence[str] = (),
    *,
    rules: Mapping[str, str] | None = None,
    config_dir: str | Path | Sequence[str | Path] | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run one simulation per seed (``replicates`` each) on ``workers`` processes (None: every core).

    ``scenario``, ``overrides``, ``rules`` and ``config_dir`` are those of :func:`run`.

    Returns the per-run outcome table with the rows and columns of the equivalent sweep's
    ``runs.parquet`` (``python -m sim -m seed=<seeds> [scenario=...] [overrides]``: one job per
    seed, in the order given), failed runs recorded as such. Nothing is written.
    """
    from sim.experiments.batch import run_seed_jobs

    if isinstance(overrides, str):
        raise SimInputError("run_many()", "overrides", overrides, "a list of overrides: overrides=['key=value', ...]")
    asked = keyword_overrides(scenario, None, rules, overrides, config_dir)
    cfg, choices = configure(asked)
    return run_seed_jobs(cfg, choices, seeds, asked, workers, progress)


def format_summary(result: RunResult) -> str:
    """A few lines a person reads at the end of a run."""
    s = result.summary
    rules = ", ".join(f"{c} {r['retaliation']}/{r['thaw']}" for c, r in s["rules"].items())
    resumption = s["mean_days_to_resumption"]
    lines = [
        f"Run complete: scenario {s['scenario']}, seed {s['seed']} ({rules})",
        f"  {s['n_signals']} signals ({int(result.events['scripted'].sum())} scripted); "
        f"peak tension {s['peak_tension']:.2f} on {s['peak_tension_date']}; "
        f"{s['days_above_crisis']} days at or above crisis level {s['crisis_threshold']}",
        f"  {s['channel_suspensions']} channel suspensions, {s['channel_days_suspended']} channel-days suspended, "
        + (f"mean {resumption:.0f} days to resumption" if resumption is not None else "none resumed"),
    ]
    if result.output_dir is not None:
        lines.append(f"  results: {result.output_dir}")
    return "\n".join(lines)


def __getattr__(name: str) -> Any:  # config composition lived here before sim.config.compose
    from sim.moved import forward

    return forward(__name__, "sim.config.compose", name)
