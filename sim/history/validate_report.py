"""The validation report: ``report.md``, ``scores.csv``, ``patterns.csv``, ``skill.csv`` and ``figures/``.

Everything is written into one staging folder and moved into
``results/validation/<name>/`` only when complete (``validation.json`` last),
so an interrupted or failed validation leaves the previous report as it was.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.history.facts import PATTERNS
from sim.history.validation import LEVEL, SCORE_NAMES, SKILL_FLOOR, coverage
from sim.outputs.io import staged_folder, write_json, write_text
from sim.outputs.provenance import provenance

MARKER = "validation.json"
WORST = 8
"""How many facts the report lists where the first model loses most to the climatology."""


def _fmt(x: float, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}" if abs(x) < 1000 else f"{x:.3g}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows)]


def _parts(patterns: pd.DataFrame) -> list[str]:
    return [p for p in ("train", "test") if p in set(patterns["part"])]


def report_lines(result: dict[str, Any]) -> list[str]:
    s, facts, table = result["settings"], result["facts"], result["scores"]
    patterns, skills, keep = result["patterns"], result["skill"], result["common"]
    parts = _parts(patterns)
    in_sample = s.split == "none"
    label = {"train": "in sample" if in_sample else "training part (in sample)", "test": "test part (out of sample)"}
    counts = {p: len(facts.of(p)) for p in PATTERNS if p != "status"}
    scored = {p: len({f for f in keep if f.startswith(p + ".")}) for p in counts}
    lines = [
        f"# Validation: split `{s.split}`", "",
        f"Models: {', '.join(s.models)}; references: {', '.join(s.references)}; {len(s.seeds)} seeds each; "
        f"folds: {', '.join(f.name for f in result['folds'])}. Scenario overrides: {list(s.base)}.", "",
        "Facts derived from the timeline: " + ", ".join(f"{n} {p}" for p, n in counts.items())
        + f", and the status of {len(facts.status)} channels on {len(facts.status[0].dates)} days; "
        "scored (every model can show them): " + ", ".join(f"{scored[p]} {p}" for p in counts) + ". "
        "Lower scores are better; skill is 1 - score / reference score (1 perfect, 0 no better than the "
        "reference, negative worse). Several patterns share events (a refusal is a response, a lag and a "
        "meeting), so they are not independent.", "",
    ]  # fmt: skip
    if s.cutoff is not None:
        lines += [f"Temporal cutoff: facts known before {s.cutoff.date()} train, the rest test.", ""]
    if result.get("fitted"):
        used = "; ".join(f"fold {k}: study `{s.study}_{k}`, {v['generations']} generations, {v['simulations']} "
                         f"simulations, training skill {_fmt(v['training_skill'], 2)}" for k, v in result["fitted"].items())  # fmt: skip
        lines += [f"Fitted models (`fitted: true`) use the posterior medians of the split studies (`posterior`: draws "
                  f"from their posteriors): {used}.", ""]  # fmt: skip
    if s.run_folders and not in_sample:
        lines += [f"Stored runs ({', '.join(s.run_folders)}) are scored as they are, not refitted per fold: their "
                  "test scores are out of sample only if they were fitted on the training part.", ""]  # fmt: skip
    if in_sample:
        lines += ["All facts are both fitted and scored here: these are in-sample scores. Run a split "
                  "(`split=temporal`, `split=loeo`) for out-of-sample ones.", ""]  # fmt: skip
    for part in parts:
        p = patterns[patterns["part"] == part]
        lines += [f"## Scores, {label[part]}", ""]
        rows = []
        for pattern in PATTERNS:
            g = p[p["pattern"] == pattern].set_index("model")
            if g.empty:
                continue
            rows.append([pattern, SCORE_NAMES[pattern], str(int(g["facts"].iloc[0]))]
                        + [_fmt(g["score"].get(m, math.nan)) for m in s.models])  # fmt: skip
        lines += _table(["pattern", "score", "facts", *s.models], rows) + [""]
        sk = skills[skills["part"] == part]
        for ref in s.references:
            g = sk[sk["reference"] == ref]
            rows = []
            for pattern in [*PATTERNS, "mean"]:
                h = g[g["pattern"] == pattern].set_index("model")
                if h.empty:
                    continue
                cells = [_fmt(h["skill"].get(m, math.nan), 2) for m in s.models]
                if pattern == "mean" and "lo" in h:
                    cells = [f"{c} [{_fmt(h['lo'].get(m, math.nan), 2)}, {_fmt(h['hi'].get(m, math.nan), 2)}]"
                             for c, m in zip(cells, s.models)]  # fmt: skip
                rows.append([pattern, *cells])
            lines += [f"Skill against `{ref}`, {label[part]} (`mean`: over patterns, each floored at {SKILL_FLOOR:g}, "
                      f"with its {LEVEL:.0%} bootstrap interval over facts):", ""]  # fmt: skip
            lines += _table(["pattern", *s.models], rows) + [""]
    cov = coverage(table, keep)
    if not cov.empty:
        lines += [f"## Coverage of the central {LEVEL:.0%} intervals (lags and thaws)", "",
                  f"A well-calibrated {LEVEL:.0%} interval holds about {LEVEL:.0%} of documented values.", ""]  # fmt: skip
        rows = [[r.model, r.part, str(r.intervals), f"{r.coverage:.0%}"] for r in cov.itertuples(index=False)]
        lines += _table(["model", "part", "intervals", "coverage"], rows) + [""]
    if result.get("fits"):
        lines += ["## The former fit score, for comparison", "",
                  "The weighted match of `python -m sim.compare` (lags 0.4, status 0.3, thaw 0.2, order 0.1; higher "
                  "is better), median [5%, 95%] over the seeds. It is not a proper score and cannot reject a model "
                  "that refuses meetings that took place: use the skill above.", ""]  # fmt: skip
        finite = {m: [x for x in v if x is not None and np.isfinite(x)] for m, v in result["fits"].items()}
        rows = [[m, f"{np.median(v):.3f} [{np.quantile(v, 0.05):.3f}, {np.quantile(v, 0.95):.3f}]" if v else "n/a"]
                for m, v in finite.items()]  # fmt: skip
        lines += _table(["model", "fit"], rows) + [""]
    lines += _detail(result) + _worst(result)
    lines += ["## Files", "", "`scores.csv`: one row per model, fold, part and fact (per channel for status); "
              "`patterns.csv`: the mean per pattern; `skill.csv`: skill against each reference; "
              "`figures/skill.png`, `figures/status.png`, `figures/intervals.png`."]  # fmt: skip
    return lines


def _detail(result: dict[str, Any]) -> list[str]:
    s, table = result["settings"], result["scores"]
    first = s.models[0]
    t = table[(table["model"] == first)]
    lines = [f"## Facts in detail, model `{first}`", ""]
    q = t[t["pattern"].isin(("lag", "thaw"))]
    if not q.empty:
        rows = [[r.fact, f"{r.fold} {r.part}", _fmt(r.observed, 0), f"{_fmt(r.forecast, 1)} [{_fmt(r.lo, 1)}, {_fmt(r.hi, 1)}]",
                 "yes" if r.covered else "no", _fmt(r.score, 1)] for r in q.itertuples(index=False)]  # fmt: skip
        lines += _table(["fact", "fold, part", "documented (days)", f"median [{LEVEL:.0%} interval]", "covered", "CRPS"], rows) + [""]
    b = t[t["pattern"].isin(("meeting", "status"))]
    if not b.empty:
        rows = [[r.fact, f"{r.fold} {r.part}", _fmt(r.observed, 2), _fmt(r.forecast, 2), _fmt(r.score)]
                for r in b.itertuples(index=False)]  # fmt: skip
        lines += ["Meetings (1 held, 0 refused; forecast: share of seeds holding it) and channels (share of days "
                  "suspended, documented and forecast):", ""]  # fmt: skip
        lines += _table(["fact", "fold, part", "documented", "forecast", "Brier"], rows) + [""]
    return lines


def _worst(result: dict[str, Any]) -> list[str]:
    """Where the first model loses most to the climatology: what it gets wrong, in plain words."""
    s, table, facts = result["settings"], result["scores"], result["facts"]
    first = s.models[0]
    if "climatology" not in s.models or first == "climatology":
        return []
    mine = table[(table["model"] == first) & table["pattern"].isin(("response", "meeting", "order", "status"))]
    ref = table[table["model"] == "climatology"].set_index(["fold", "part", "fact"])["score"]
    loss = mine.assign(loss=[r.score - ref.get((r.fold, r.part, r.fact), np.nan) for r in mine.itertuples(index=False)])
    loss = loss[loss["loss"] > 0].sort_values("loss", ascending=False).head(WORST)
    if loss.empty:
        return []
    text = {f.id: f.text for f in facts.facts}
    lines = [f"## Where `{first}` does worst against the climatology", ""]
    for r in loss.itertuples(index=False):
        what = text.get(r.fact, f"the {r.fact.partition('.')[2]} channel's daily status")
        lines.append(f"- {what} ({r.part}): score {_fmt(r.score)} against {_fmt(r.score - r.loss)}; "
                     f"forecast {_fmt(r.forecast, 2)}, documented {_fmt(r.observed, 2)}.")  # fmt: skip
    return lines + [""]


def write_report(result: dict[str, Any]) -> None:
    """Write the whole report into the settings' folder, atomically."""
    from sim.history.validate_figures import intervals_figure, skill_figure, status_figure

    s = result["settings"]
    with staged_folder(s.folder, marker=MARKER, stale=("figures",)) as stage:
        result["scores"].to_csv(stage / "scores.csv", index=False)
        result["patterns"].to_csv(stage / "patterns.csv", index=False)
        result["skill"].to_csv(stage / "skill.csv", index=False)
        write_text(stage / "report.md", "\n".join(report_lines(result)) + "\n")
        (stage / "figures").mkdir()
        skill_figure(result["skill"], s.models, s.references).savefig(stage / "figures" / "skill.png", dpi=110)
        status_figure(result["observed"], result["facts"]).savefig(stage / "figures" / "status.png", dpi=110)
        intervals_figure(result["scores"], s.models).savefig(stage / "figures" / "intervals.png", dpi=110)
        summary = {
            "split": s.split, "seeds": len(s.seeds), "models": list(s.models), "references": list(s.references),
            "mean_skill": {f"{r.model}|{r.part}|{r.reference}": None if math.isnan(r.skill) else r.skill
                           for r in result["skill"][result["skill"]["pattern"] == "mean"].itertuples(index=False)},
            "provenance": provenance(result["started"]),
        }  # fmt: skip
        write_json(stage / MARKER, summary)
    import matplotlib.pyplot as plt

    plt.close("all")
