"""The validation report's figures, drawn with matplotlib's object API (``Figure``), never pyplot's state.

* :func:`skill_figure`: each model's skill per pattern against each reference, in and out of sample;
* :func:`status_figure`: per channel, the documented suspensions and each model's share of seeds suspended;
* :func:`intervals_figure`: each lag and thaw, documented against each model's median and 90% interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.history.facts import PATTERNS, Facts
from sim.history.observe import Observation
from sim.history.validation import SKILL_FLOOR

COLORS = ("#1565c0", "#ef6c00", "#6a1b9a", "#00897b", "#5d4037", "#c2185b", "#546e7a")
DOCUMENTED = "black"


def _color(models: Sequence[str], m: str) -> str:
    return COLORS[list(models).index(m) % len(COLORS)]


def skill_figure(skills: pd.DataFrame, models: Sequence[str], references: Sequence[str]) -> Figure:
    """Bars of skill per pattern (and the floored mean), one panel per reference and part."""
    parts = [p for p in ("train", "test") if p in set(skills["part"])]
    refs = [r for r in references if r in set(skills["reference"])]
    if not parts or not refs:  # no reference model among those validated: nothing to draw against
        fig = Figure(figsize=(5, 1.5), layout="constrained")
        fig.text(0.5, 0.5, "no reference model validated: no skill to show", ha="center", va="center")
        return fig
    fig = Figure(figsize=(4.2 * len(refs), 3.2 * len(parts)), layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(parts), len(refs), squeeze=False))
    labels = [*PATTERNS, "mean"]
    width = 0.8 / max(1, len(models))
    for i, part in enumerate(parts):
        for j, ref in enumerate(refs):
            ax = axes[i, j]
            g = skills[(skills["part"] == part) & (skills["reference"] == ref)]
            for k, m in enumerate(models):
                h = g[g["model"] == m].set_index("pattern")["skill"]
                vals = np.array([h.get(p, np.nan) for p in labels], dtype=float)
                ax.bar(np.arange(len(labels)) + (k - (len(models) - 1) / 2) * width, np.clip(vals, SKILL_FLOOR, 1),
                       width, color=_color(models, m), label=m)  # fmt: skip
            ax.axhline(0, color="0.3", lw=0.8)
            ax.set_ylim(SKILL_FLOOR - 0.05, 1.05)
            ax.set_xticks(np.arange(len(labels)), labels, rotation=30, fontsize=8)
            ax.set_title(f"skill vs {ref}, {'in sample' if part == 'train' else 'out of sample'}", fontsize=9)
            if i == 0 and j == 0:
                ax.legend(fontsize=7, ncols=2)
    fig.suptitle(f"Skill by pattern (1 perfect, 0 = reference, clipped at {SKILL_FLOOR:g})", fontsize=10)
    return fig


def status_figure(observed: Mapping[str, Sequence[Observation]], facts: Facts) -> Figure:
    """Per channel: documented suspension (shaded) and each model's share of seeds with it suspended (first fold)."""
    targets = [t for t in facts.status]
    fig = Figure(figsize=(9, 1.3 * len(targets) + 0.6), layout="constrained")
    axes = fig.subplots(len(targets), 1, sharex=True, squeeze=False)[:, 0]
    models = list(observed)
    shares = {m: [o.status for o in obs] for m, obs in observed.items()}
    for ax, t in zip(axes, targets):
        ax.fill_between(t.dates, 0, t.observed.astype(float), step="post", color="0.8", label="documented")
        for m in models:
            rows = [o[t.channel] for o in shares[m] if t.channel in o]
            if rows:
                ax.plot(t.dates, np.mean(rows, axis=0), color=_color(models, m), lw=1.1, label=m)
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel(t.channel.replace("_", " "), rotation=0, ha="right", fontsize=8)
        ax.set_yticks([0, 1])
    axes[0].legend(fontsize=7, ncols=len(models) + 1, loc="lower left", bbox_to_anchor=(0, 1.02))
    fig.suptitle("Share of seeds with each channel suspended, against the documented status (grey)", fontsize=10)
    return fig


def intervals_figure(scores: pd.DataFrame, models: Sequence[str]) -> Figure:
    """Each lag and thaw: documented value (black) and each model's median and 90% interval (first fold, every part)."""
    q = scores[scores["pattern"].isin(("lag", "thaw")) & scores["lo"].notna()]
    q = q.drop_duplicates(["model", "fact"])
    facts = list(dict.fromkeys(q["fact"]))
    fig = Figure(figsize=(9, 0.35 * max(4, len(facts)) + 1), layout="constrained")
    ax = fig.subplots()
    step = 0.7 / max(1, len(models))
    for k, m in enumerate(models):
        g = q[q["model"] == m].set_index("fact")
        for i, f in enumerate(facts):
            if f in g.index:
                y = i + (k - (len(models) - 1) / 2) * step
                ax.plot([g.at[f, "lo"], g.at[f, "hi"]], [y, y], color=_color(models, m), lw=2, label=m if i == 0 else None)
                ax.plot(g.at[f, "forecast"], y, "o", color=_color(models, m), ms=3)
    documented = q.drop_duplicates("fact").set_index("fact")["observed"]
    ax.plot([documented[f] for f in facts], range(len(facts)), "D", color=DOCUMENTED, ms=4, label="documented")
    ax.set_yticks(range(len(facts)), facts, fontsize=7)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=-0.5)  # days are never negative: no empty half-axis
    ax.set_xlabel("days (linear to 10, logarithmic beyond)")
    ax.invert_yaxis()
    ax.legend(fontsize=7, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.08))  # below: it hides no point
    ax.set_title("Lags and thaws: documented value against each model's median and 90% interval", fontsize=10)
    return fig
