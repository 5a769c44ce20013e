"""``python -m sim.promote STUDY``: make a posterior study the calibration the default run uses.

A study (``python -m sim.calibrate``) only writes under ``results/calibration/<study>/``;
this separate, explicit step copies its posterior to ``sim/data/posterior_<name>.csv``
and writes ``configs/calibration/<name>.yaml`` (:mod:`sim.config.calibration`):
the declared point (each parameter's weighted marginal median), the rule each rule
parameter was fitted for, and the posterior file that ``posterior_draws=N`` and
``python -m sim.validate`` draw from. ``--name historical`` (the default) is what
``configs/config.yaml`` selects; another name is chosen with ``calibration=<name>``.
A study fitted on a split's training part is refused: it saw only part of the record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config.calibration import DATA_DIR
from sim.config.cli import CommandParser, run_command
from sim.config.compose import CONFIG_DIR, compose_config
from sim.config.search_space import Param
from sim.core.errors import SimInputError
from sim.core.shipped import CHECKOUT, results_root
from sim.history.posterior_report import point
from sim.outputs.io import atomic_write, write_text


def _read(folder: Path) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame]:
    files = {}
    for name in ("summary.json", "study.json"):
        path = folder / name
        try:
            files[name] = json.loads(path.read_text())
        except FileNotFoundError:
            raise SimInputError(str(path), "study", folder.name, "no finished study here; run "
                                f"`python -m sim.calibrate study={folder.name}` first") from None  # fmt: skip
        except (OSError, ValueError) as e:
            raise SimInputError(str(path), "study", folder.name, f"unreadable ({e})") from None
    try:
        post = pd.read_csv(folder / "posterior.csv")
    except (OSError, ValueError) as e:
        raise SimInputError(str(folder / "posterior.csv"), "posterior", folder.name, f"unreadable ({e})") from None
    return files["summary.json"], files["study.json"], post


def rule_packages(keys: Sequence[str], model_overrides: Sequence[str]) -> dict[str, str]:
    """For each key under a chosen rule, the package and option of that rule and of every rule enclosing it
    (``governments.CHN.thaw``: ``sanctioned_post_hold``, ``governments.CHN.thaw.inner``: ``weighted``)."""
    _, choices = compose_config([*model_overrides, "~calibration"])
    rules = {k.partition("@")[2]: v for k, v in choices.items() if k.startswith("rules/")}
    out = {}
    for key in keys:
        for package in (p for p in rules if key.startswith(p + ".")):
            out[package] = rules[package]
    return dict(sorted(out.items()))


def promote(study: str, name: str = "historical", results_dir: Path | None = None,
            config_dir: Path = CONFIG_DIR, data_dir: Path = DATA_DIR) -> list[Path]:  # fmt: skip
    """Write the calibration file and the posterior file from a finished study; return their paths."""
    if CHECKOUT is None and config_dir == CONFIG_DIR:
        raise SimInputError("command line", "study", study, "promotion writes the shipped calibration into the "
                            "package's configs and data: run it from a checkout (git clone, pip install -e .)")  # fmt: skip
    folder = (results_dir or results_root() / "results" / "calibration") / study
    if not name.replace("_", "").replace("-", "").isalnum():
        raise SimInputError("command line", "--name", name, "must be letters, digits, - and _")
    summary, meta, post = _read(folder)
    if summary.get("split", "none") != "none":
        raise SimInputError(str(folder / "summary.json"), "split", summary.get("split"), "a study fitted on a split's "
                            "training part saw only part of the record; promote a study with split=none")  # fmt: skip
    try:
        settings = meta["settings"]
        params = [Param(**p) for p in settings["params"]]
        columns = ["weight", *(f"x.{p.name}" for p in params)]
        frame = post[columns]
    except (KeyError, TypeError) as e:
        raise SimInputError(str(folder / "study.json"), "settings", "unreadable", f"not a study record ({e})") from None
    values = point(frame, params)
    keys = [p.key for p in params]
    shipped = pd.DataFrame({"weight": frame["weight"]})
    for p in params:
        shipped[p.key] = [p.value(x) for x in frame[f"x.{p.name}"]]
    posterior_file = f"posterior_{name}.csv"
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    gens, sims = summary.get("generations"), summary.get("simulations")
    body = {
        "name": name, "study": study, "point": "weighted marginal median", "posterior": posterior_file,
        "training_skill": None if summary.get("training_skill") is None else round(float(summary["training_skill"]), 4),
        "rules": rule_packages(keys, settings.get("model_overrides", [])),
        "values": {p.key: values[p.name] for p in params},
    }  # fmt: skip
    text = (
        "# @package calibration\n"
        f"# Promoted by `python -m sim.promote {study}` on {stamp} from results/calibration/{study}/ "
        f"(ABC-SMC, generations: {gens}, simulations: {sims}, {len(frame)} particles); do not edit by hand.\n"
        "# values: the posterior's weighted marginal medians, set on the rules named under `rules` only while\n"
        "# those rules are chosen; posterior: the sample (sim/data/) that posterior_draws=N draws from.\n"
        + yaml.safe_dump(body, sort_keys=False)
    )  # fmt: skip
    data_path, config_path = data_dir / posterior_file, config_dir / "calibration" / f"{name}.yaml"
    atomic_write(data_path, lambda p: shipped.to_csv(p, index=False, float_format="%.6g"))
    write_text(config_path, text)
    return [config_path, data_path]


def main(argv: Sequence[str] | None = None) -> int:
    parser = CommandParser(prog="python -m sim.promote", description=__doc__.split("\n\n")[0])
    parser.add_argument("study", help="the study's name under --results-dir (e.g. historical)")
    parser.add_argument("--name", default="historical", help="the calibration's name (default: historical, "
                        "the one configs/config.yaml uses)")  # fmt: skip
    parser.add_argument("--results-dir", default=None, help="where studies are (default: results/calibration)")

    def body() -> int:
        args = parser.parse_args(argv)
        written = promote(args.study, args.name, Path(args.results_dir) if args.results_dir else None)
        print(f"Promoted study {args.study} to calibration {args.name}:")
        for path in written:
            print(f"  wrote {path}")
        return 0

    return run_command(body)
