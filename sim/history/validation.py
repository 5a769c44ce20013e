"""Score a model's predictive distribution on the documented facts, pattern by pattern, with proper scores.

The runs of one model (one per seed, later also per parameter draw) are its
predictive distribution; :func:`score_model` scores it on each fact of a part
of a split (:mod:`sim.history.splits`) with the rules of :mod:`sim.history.scores`:

* binary facts (``response``, ``meeting``): the Brier and log scores of the
  share of runs in which the fact happened (Jeffreys' prior, :func:`sim.history.scores.share`);
* ``status``: per channel, the mean Brier and log score over the part's days of
  the share of runs with the channel suspended that day (one row per channel, so
  a channel that is always open is one row among all the vocabulary's channels, not most of the days);
* ``lag`` and ``thaw``: the CRPS of the runs' values (days), their central 90%
  interval and whether it covers the documented value;
* ``order``: the pairwise Brier score of the reopening order (:func:`sim.history.scores.pairwise_order`).

:func:`pattern_scores` averages each pattern over the facts every compared
model can show, and :func:`skill_table` turns them into skill against each
reference (1 perfect, 0 no better than the reference, negative worse).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.history.facts import BINARY, PATTERNS, Facts
from sim.history.observe import Observation
from sim.history.scores import brier, covers, crps, interval, log_score, pairwise_order, share, skill
from sim.history.splits import Part

LEVEL = 0.9
"""The central prediction interval whose coverage is reported."""
SCORE_NAMES = {"response": "Brier", "meeting": "Brier", "status": "Brier", "lag": "CRPS (days)",
               "thaw": "CRPS (days)", "order": "pairwise Brier"}  # fmt: skip
"""The score of each pattern, as reports name it (lower is better for all)."""
ROW_COLUMNS = ("fact", "pattern", "episode", "date", "observed", "runs", "forecast", "lo", "hi", "covered",
               "score", "log_score")  # fmt: skip


def _row(f, **values) -> dict:
    row = dict.fromkeys(ROW_COLUMNS)
    row.update(fact=f.id, pattern=f.pattern, episode=f.episode, date=f.date, observed=f.observed)
    row.update(values)
    return row


def score_model(facts: Facts, observations: Sequence[Observation], part: Part) -> pd.DataFrame:
    """One row per fact of ``part`` (per channel for status) that at least one run can show."""
    rows = []
    for f in facts.facts:
        if f.id not in part:
            continue
        if f.pattern == "order":
            runs = [o.times[f.id] for o in observations if f.id in o.times]
            if not runs:
                continue
            samples = {c: [r[c] for r in runs] for c, _ in f.times}
            rows.append(_row(f, runs=len(runs), score=pairwise_order(samples, dict(f.times))))
            continue
        values = [v for o in observations if (v := o.values.get(f.id)) is not None]
        if not values:
            continue
        if f.pattern in BINARY:
            p = share(np.asarray(values) == 1)
            rows.append(_row(f, runs=len(values), forecast=p, score=brier([p], [f.observed]),
                             log_score=log_score([p], [f.observed])))  # fmt: skip
        else:
            lo, hi = interval(values, LEVEL)
            rows.append(_row(f, runs=len(values), forecast=float(np.median(values)), lo=lo, hi=hi,
                             covered=covers(values, f.observed, LEVEL), score=crps(values, f.observed)))  # fmt: skip
    for target in facts.status:
        days = part.days.get(target.channel)
        runs = [o.status[target.channel] for o in observations if target.channel in o.status]
        if days is None or not days.any() or not runs:
            continue
        sample = np.vstack(runs)[:, days]
        p = share(sample, axis=0)  # one forecast per day
        y = target.observed[days].astype(float)
        rows.append({
            **dict.fromkeys(ROW_COLUMNS), "fact": f"status.{target.channel}", "pattern": "status", "episode": "",
            "date": target.dates[days][-1], "observed": float(y.mean()), "runs": len(runs), "forecast": float(p.mean()),
            "score": brier(p, y), "log_score": log_score(p, y),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(ROW_COLUMNS))


def common_facts(table: pd.DataFrame) -> set[str]:
    """The facts every model of ``table`` (column ``model``) scored, so that models are compared on the same facts."""
    per_model = [set(g["fact"]) for _, g in table.groupby("model")]
    return set.intersection(*per_model) if per_model else set()


def pattern_scores(table: pd.DataFrame, keep: set[str] | None = None) -> pd.DataFrame:
    """Mean score per model, part and pattern (``score``, ``log_score``, ``coverage``, ``facts``)."""
    t = table if keep is None else table[table["fact"].isin(keep)]
    rows = []
    for (model, part, pattern), g in t.groupby(["model", "part", "pattern"], sort=False):
        cov = g["covered"].dropna()
        rows.append({
            "model": model, "part": part, "pattern": pattern, "facts": len(g), "score": float(g["score"].mean()),
            "log_score": float(g["log_score"].mean()) if g["log_score"].notna().any() else math.nan,
            "coverage": float(cov.astype(bool).mean()) if len(cov) else math.nan,
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=["model", "part", "pattern", "facts", "score", "log_score", "coverage"])
    order = {p: i for i, p in enumerate(PATTERNS)}
    return out.sort_values(["part", "pattern"], key=lambda s: s.map(order) if s.name == "pattern" else s, kind="stable")


SKILL_FLOOR = -1.0
"""In the mean over patterns, a skill below this counts as this: against a reference that is nearly
perfect on a pattern, skill runs to minus infinity, and one pattern would swamp the rest."""


def skill_table(patterns: pd.DataFrame, references: Sequence[str]) -> pd.DataFrame:
    """Skill of every model against each reference, per part and pattern, plus ``mean`` over the patterns
    (each pattern's skill floored at :data:`SKILL_FLOOR`; NaN, against a perfect reference, left out)."""
    rows = []
    for (part, pattern), g in patterns.groupby(["part", "pattern"], sort=False):
        by_model = dict(zip(g["model"], g["score"]))
        for ref in references:
            if ref not in by_model:
                continue
            for model, score in by_model.items():
                rows.append({"model": model, "part": part, "pattern": pattern, "reference": ref,
                             "skill": skill(score, by_model[ref])})  # fmt: skip
    out = pd.DataFrame(rows, columns=["model", "part", "pattern", "reference", "skill"])
    floored = out.assign(skill=out["skill"].clip(lower=SKILL_FLOOR))
    means = floored.groupby(["model", "part", "reference"], sort=False)["skill"].mean().reset_index().assign(pattern="mean")
    return pd.concat([out, means[out.columns]], ignore_index=True)


def coverage(table: pd.DataFrame, keep: set[str] | None = None) -> pd.DataFrame:
    """Per model and part: how many lags and thaws have an interval, and the share it covers."""
    t = table[table["covered"].notna()]
    if keep is not None:
        t = t[t["fact"].isin(keep)]
    g = t.groupby(["model", "part"], sort=False)["covered"]
    return pd.DataFrame({"intervals": g.size(), "coverage": g.apply(lambda c: float(c.astype(bool).mean()))}).reset_index()


def mean_skill(skills: Mapping[str, float]) -> float:
    """The mean over patterns of finite skills, each floored at :data:`SKILL_FLOOR` (as :func:`skill_table`'s ``mean``)."""
    vals = [max(v, SKILL_FLOOR) for v in skills.values() if math.isfinite(v)]
    return float(np.mean(vals)) if vals else math.nan


BOOTSTRAP_DRAWS = 1000
"""Resamples of the facts behind each mean skill's interval."""


def mean_skill_intervals(table: pd.DataFrame, keep: set[str], references: Sequence[str], level: float = LEVEL,
                         draws: int = BOOTSTRAP_DRAWS, seed: int = 0) -> pd.DataFrame:
    """A central ``level`` interval of each model's mean skill against each reference, by the bootstrap over facts.

    The facts of each pattern (per fold, for splits with several) are resampled with replacement, the
    same resample for every model (a paired bootstrap, Efron & Tibshirani 1993), and the floored mean
    skill recomputed: with a handful of facts per pattern, the interval shows how far a mean skill is
    from a settled number. Columns: model, part, reference, lo, hi.
    """
    rng = np.random.default_rng(seed)
    t = table[table["fact"].isin(keep)]
    rows = []
    for part, g in t.groupby("part", sort=False):
        models = list(dict.fromkeys(g["model"]))
        resampled: dict[str, np.ndarray] = {}  # per pattern: (models, draws) mean score
        for pattern, h in g.groupby("pattern", sort=False):
            wide = h.pivot_table(index=["fold", "fact"], columns="model", values="score", aggfunc="first")
            wide = wide.reindex(columns=models).dropna()
            if wide.empty:
                continue
            pick = rng.integers(0, len(wide), size=(draws, len(wide)))
            resampled[str(pattern)] = wide.to_numpy().T[:, pick].mean(axis=2)
        for ref in references:
            if ref not in models:
                continue
            r = models.index(ref)
            for i, model in enumerate(models):
                per_pattern = []
                for means in resampled.values():
                    with np.errstate(divide="ignore", invalid="ignore"):
                        sk = np.where(means[r] > 0, 1.0 - means[i] / means[r], np.nan)
                    per_pattern.append(np.maximum(sk, SKILL_FLOOR))
                stacked = np.vstack(per_pattern)
                with np.errstate(all="ignore"):
                    mean = np.nanmean(stacked, axis=0) if np.isfinite(stacked).any() else np.full(draws, np.nan)
                finite = mean[np.isfinite(mean)]
                lo, hi = (np.quantile(finite, [(1 - level) / 2, (1 + level) / 2]) if finite.size else (np.nan, np.nan))
                rows.append({"model": model, "part": part, "reference": ref, "lo": float(lo), "hi": float(hi)})
    return pd.DataFrame(rows, columns=["model", "part", "reference", "lo", "hi"])
