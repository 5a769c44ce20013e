"""Run the model from Python, composing the same Hydra config as the command line.

Example::

    from sim import run
    r = run(["scenario=baseline", "seed=3"])
    r.steps.plot(x="date", y="tension_USA_CHN")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.config.build import build
from sim.config.calibration import posterior_draws
from sim.config.compose import compose_config
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
    config: DictConfig | None = field(default=None, repr=False)
    notices: tuple[str, ...] = ()


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
    quiet_mesa()
    if posterior_draws(cfg):
        raise SimInputError("configs/config.yaml", "posterior_draws", cfg.get("posterior_draws"), "a single run is one "
                            "parameter set: draw from the posterior in a sweep (python -m sim -m posterior_draws=N)")  # fmt: skip
    model, threshold = build(cfg, choices)
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
        if cfg.get("figures", True):
            label = f"{model.scenario_spec.name}, seed {model.seed_value}"

            def draw(folder: Path) -> None:
                from sim.outputs.figures import write_figures  # matplotlib costs 0.45 s to import: only when drawing

                write_figures(events, steps, threshold, folder, label)

        texts = {"config.yaml": OmegaConf.to_yaml(cfg)} if save_config else None
        write_run(Path(output_dir), events, steps, {**summary, "provenance": provenance(started)}, draw, texts)
    notice = override_notice(model.scenario_spec)
    return RunResult(events, steps, summary, Path(output_dir) if output_dir else None, cfg, (notice,) if notice else ())


def run(overrides: Sequence[str] = (), output_dir: str | Path | None = None) -> RunResult:
    """Run one simulation from Python with Hydra-style overrides.

    Args:
        overrides: Hydra overrides, as on the command line
            (``["scenario=baseline", "governments.CHN.retaliation.trigger=0.5"]``).
        output_dir: If given, write the run folder there (tables, figures,
            summary and the composed config as ``config.yaml``).

    Returns:
        The run's tables and summary.
    """
    cfg, choices = compose_config(overrides)
    return execute(cfg, Path(output_dir) if output_dir else None, choices, save_config=True)


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
