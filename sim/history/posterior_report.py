"""What a posterior study shows: the posterior table, identifiability per parameter, figures and the report.

Identifiability of each parameter, measured in the prior's design coordinates
(log for log-scaled ranges):

- **contraction** ``1 - var_post / var_prior`` (Schad, Betancourt & Vasishth 2021,
  Psychological Methods 26(1):103, "posterior contraction"): 0 when the record
  tells nothing beyond the prior, 1 when it pins the value down;
- **interval share**: the posterior's central 90% interval as a share of the prior range;
- **profile range**: over all evaluated particles, the spread of the best distance
  reached in each of ten bins of the parameter: how much the fit itself can move
  along that parameter (a flat profile cannot identify it);
- **trade-offs**: posterior correlations of at least :data:`TRADE_OFF` in magnitude.

A parameter is called *pinned down* at a contraction of at least 0.5, *weakly
informed* from 0.2, *not identified* below (:func:`verdict`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.search_space import Param
from sim.outputs.io import atomic_write, write_text

TRADE_OFF = 0.5
DEGENERATE = 0.2
"""A last generation worth less than this share of its particles (effective sample size) is reported as degenerate."""
PROFILE_BINS = 10
PAIRS_SHOWN = 6


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``x`` under weights ``w`` (the first value whose cumulative weight reaches ``q``)."""
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / np.sum(w)
    return float(x[order][min(int(np.searchsorted(cum, q)), len(x) - 1)])


def point(post: pd.DataFrame, params: Sequence[Param]) -> dict[str, float | int]:
    """The declared point: each parameter's weighted marginal median (design coordinates, then model values)."""
    w = post["weight"].to_numpy()
    return {p.name: p.value(weighted_quantile(post[f"x.{p.name}"].to_numpy(), w, 0.5)) for p in params}


def verdict(contraction: float) -> str:
    return "pinned down" if contraction >= 0.5 else "weakly informed" if contraction >= 0.2 else "not identified"


def identifiability(post: pd.DataFrame, evaluations: pd.DataFrame, params: Sequence[Param]) -> pd.DataFrame:
    """One row per parameter: prior range, posterior median and 90% interval, contraction, profile range, verdict."""
    w = post["weight"].to_numpy()
    rows = []
    for p in params:
        lo, hi = p.bounds
        x = post[f"x.{p.name}"].to_numpy()
        mean = float(np.average(x, weights=w))
        var_post = float(np.average((x - mean) ** 2, weights=w))
        var_prior = (hi - lo) ** 2 / 12
        q05, q50, q95 = (weighted_quantile(x, w, q) for q in (0.05, 0.5, 0.95))
        rows.append({
            "parameter": p.name, "key": p.key, "scale": "log" if p.log else "linear", "prior_low": p.low,
            "prior_high": p.high, "median": p.value(q50), "q05": p.value(q05), "q95": p.value(q95),
            "contraction": 1 - var_post / var_prior, "interval_share": (q95 - q05) / (hi - lo),
            "profile_range": profile_range(evaluations, p), "verdict": verdict(1 - var_post / var_prior),
        })  # fmt: skip
    return pd.DataFrame(rows)


def profile(evaluations: pd.DataFrame, p: Param) -> pd.DataFrame:
    """The best (least) distance reached in each of :data:`PROFILE_BINS` bins of the parameter's prior range."""
    lo, hi = p.bounds
    edges = np.linspace(lo, hi, PROFILE_BINS + 1)
    bins = np.clip(np.digitize(evaluations[p.name].to_numpy(dtype=float), edges) - 1, 0, PROFILE_BINS - 1)
    best = evaluations.groupby(bins)["distance"].min()
    return pd.DataFrame({"x": (edges[:-1] + edges[1:])[best.index] / 2, "best": best.to_numpy()})


def profile_range(evaluations: pd.DataFrame, p: Param) -> float:
    prof = profile(evaluations, p)
    return float(prof["best"].max() - prof["best"].min()) if len(prof) > 1 else 0.0


def correlations(post: pd.DataFrame, params: Sequence[Param]) -> pd.DataFrame:
    """The posterior's weighted correlation matrix (design coordinates)."""
    x = post[[f"x.{p.name}" for p in params]].to_numpy()
    cov = np.atleast_2d(np.cov(x.T, aweights=post["weight"].to_numpy()))
    sd = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    names = [p.name for p in params]
    return pd.DataFrame(cov / np.outer(sd, sd), index=names, columns=names)


def trade_offs(corr: pd.DataFrame) -> list[tuple[str, str, float]]:
    names = list(corr.index)
    pairs = [(a, b, float(corr.loc[a, b])) for i, a in enumerate(names) for b in names[i + 1 :]]
    return sorted((t for t in pairs if abs(t[2]) >= TRADE_OFF), key=lambda t: -abs(t[2]))


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda p: fig.savefig(p, dpi=110, bbox_inches="tight", format="png"))
    plt.close(fig)


def _axis(ax: Any, p: Param) -> None:
    ax.set_xlim(p.bounds)
    ax.set_xlabel(f"{p.name}" + (" (log)" if p.log else ""), fontsize=8)
    ax.tick_params(labelsize=7)


def figures(post: pd.DataFrame, evaluations: pd.DataFrame, params: Sequence[Param], ident: pd.DataFrame,
            pops: pd.DataFrame, corr: pd.DataFrame, folder: Path) -> list[Path]:  # fmt: skip
    """marginals.png, profiles.png, pairs.png (the most contracted parameters), correlations.png, tolerance.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = post["weight"].to_numpy()
    cols = 5
    rows = -(-len(params) // cols)
    out = []
    fig, axes = plt.subplots(rows, cols, figsize=(3 * cols, 2.2 * rows), squeeze=False)
    for ax, p, (_, r) in zip(axes.flat, params, ident.iterrows()):
        ax.hist(post[f"x.{p.name}"], bins=15, range=p.bounds, weights=w, color="#0072B2", alpha=0.8)
        ax.axhline(1 / 15, color="#999999", lw=1, ls="--", label="prior")
        ax.set_title(f"{r['verdict']} ({r['contraction']:.2f})", fontsize=8)
        _axis(ax, p)
    for ax in list(axes.flat)[len(params) :]:
        ax.axis("off")
    fig.suptitle("Posterior marginals (weighted; dashed: the uniform prior; title: verdict and contraction)")
    fig.tight_layout()
    _save(fig, folder / "marginals.png")
    out.append(folder / "marginals.png")

    fig, axes = plt.subplots(rows, cols, figsize=(3 * cols, 2.2 * rows), squeeze=False, sharey=True)
    for ax, p in zip(axes.flat, params):
        ax.scatter(evaluations[p.name], evaluations["distance"], s=3, color="#999999", alpha=0.3, rasterized=True)
        prof = profile(evaluations, p)
        ax.plot(prof["x"], prof["best"], color="#D55E00", lw=1.5)
        _axis(ax, p)
    for ax in list(axes.flat)[len(params) :]:
        ax.axis("off")
    axes[0][0].set_ylabel("distance (1 - mean skill)", fontsize=8)
    fig.suptitle("Fit against each parameter: every evaluated particle (grey) and the best per bin (orange)")
    fig.tight_layout()
    _save(fig, folder / "profiles.png")
    out.append(folder / "profiles.png")

    shown = [p for p in sorted(params, key=lambda p: -float(ident.set_index("parameter").loc[p.name, "contraction"]))]
    shown = shown[:PAIRS_SHOWN]
    n = len(shown)
    fig, axes = plt.subplots(n, n, figsize=(2 * n, 2 * n), squeeze=False)
    for i, a in enumerate(shown):
        for j, b in enumerate(shown):
            ax = axes[i][j]
            if i == j:
                ax.hist(post[f"x.{a.name}"], bins=15, range=a.bounds, weights=w, color="#0072B2")
            else:
                ax.scatter(post[f"x.{b.name}"], post[f"x.{a.name}"], s=40 * w / w.max(), color="#0072B2", alpha=0.5)
                ax.set_ylim(a.bounds)
            ax.set_xlim(b.bounds)
            ax.tick_params(labelsize=6)
            if i == n - 1:
                ax.set_xlabel(b.name, fontsize=7)
            if j == 0:
                ax.set_ylabel(a.name, fontsize=7)
    fig.suptitle(f"Pairwise posterior of the {n} most contracted parameters (point size: weight)")
    fig.tight_layout()
    _save(fig, folder / "pairs.png")
    out.append(folder / "pairs.png")

    fig, ax = plt.subplots(figsize=(0.32 * len(params) + 3, 0.32 * len(params) + 2))
    im = ax.imshow(corr.to_numpy(), vmin=-1, vmax=1, cmap="RdBu_r")
    ax.set_xticks(range(len(params)), corr.columns, rotation=90, fontsize=7)
    ax.set_yticks(range(len(params)), corr.index, fontsize=7)
    fig.colorbar(im, ax=ax, label="posterior correlation")
    ax.set_title("Trade-offs between parameters")
    fig.tight_layout()
    _save(fig, folder / "correlations.png")
    out.append(folder / "correlations.png")

    fig, ax = plt.subplots(figsize=(5, 3))
    finite = pops[np.isfinite(pops["epsilon"])]
    ax.plot(finite["t"], finite["epsilon"], marker="o", color="#0072B2")
    ax.set_xlabel("generation")
    ax.set_ylabel("tolerance (distance)")
    ax.set_title("ABC-SMC tolerance by generation")
    fig.tight_layout()
    _save(fig, folder / "tolerance.png")
    out.append(folder / "tolerance.png")
    return out


def report_text(title: str, settings: dict[str, Any], ident: pd.DataFrame, pops: pd.DataFrame,
                pairs: list[tuple[str, str, float]], point_skill: dict[str, float], notes: Sequence[str]) -> str:  # fmt: skip
    """The plain-words report: what the record pins down and what it does not."""
    ess = float(pops["effective_particles"].iloc[-1])
    if ess < DEGENERATE * float(pops["particles"].iloc[-1]):
        notes = [f"**Warning: the weights are degenerate.** The last generation's {int(pops['particles'].iloc[-1])} "
                 f"particles are worth {ess:.1f} (Kish's effective sample size): the posterior rests on a few "
                 "particles and its spread, contraction and correlations mean little. In many dimensions the "
                 "importance weights of later generations collapse: use one generation (rejection ABC) or fewer "
                 "parameters.", *notes]  # fmt: skip
    pinned = ident[ident["verdict"] == "pinned down"]["parameter"].tolist()
    weak = ident[ident["verdict"] == "weakly informed"]["parameter"].tolist()
    none = ident[ident["verdict"] == "not identified"]["parameter"].tolist()
    last = pops.iloc[-1]
    lines = [
        f"# {title}", "",
        f"ABC-SMC (pyabc): {int(last['t']) + 1} generation(s) of {int(last['particles'])} particles "
        f"(effective {last['effective_particles']:.1f}), "
        f"{int(pops['simulations'].sum())} simulations, final tolerance {last['epsilon']:.3f} "
        f"(distance = 1 - mean skill against the null model over the patterns); "
        f"{settings['seeds']} model seeds per particle, sampler seed {settings['sampler_seed']}.", "",
        "## What the record pins down", "",
        f"- **Pinned down** (contraction >= 0.5): {', '.join(pinned) or 'none'}.",
        f"- **Weakly informed** (0.2 to 0.5): {', '.join(weak) or 'none'}.",
        f"- **Not identified** (below 0.2: the posterior is about as wide as the prior): {', '.join(none) or 'none'}.",
        "- **Trade-offs** (|posterior correlation| >= 0.5): "
        + ("; ".join(f"{a} with {b} ({r:+.2f})" for a, b, r in pairs) if pairs else "none") + ".", "",
        *notes, "",
        "## Per parameter", "",
        "| parameter | prior | median | 90% interval | contraction | interval share | profile range | verdict |",
        "|---|---|---|---|---|---|---|---|",
        *(f"| {r.parameter} | [{r.prior_low:g}, {r.prior_high:g}]{' log' if r.scale == 'log' else ''} | {r.median:.4g} | "
          f"[{r.q05:.4g}, {r.q95:.4g}] | {r.contraction:.2f} | {r.interval_share:.2f} | {r.profile_range:.3f} | "
          f"{r.verdict} |" for r in ident.itertuples(index=False)), "",
        "## Generations", "",
        "| generation | tolerance | particles | effective particles | simulations | acceptance rate |",
        "|---|---|---|---|---|---|",
        *(f"| {int(r.t)} | {r.epsilon:.3f} | {int(r.particles)} | {r.effective_particles:.1f} | {int(r.simulations)} | "
          f"{r.acceptance_rate:.2f} |" for r in pops.itertuples(index=False)), "",
        "## The declared point (weighted marginal medians) on the training facts", "",
        "| pattern | skill vs null |", "|---|---|", *(f"| {k} | {v:+.3f} |" for k, v in point_skill.items()), "",
        "Figures: `figures/marginals.png`, `figures/profiles.png`, `figures/pairs.png`, `figures/correlations.png`, "
        "`figures/tolerance.png`. Tables: `posterior.csv` (weights, design coordinates `x.<name>`, values), "
        "`identifiability.csv`, `generations.csv`, `evaluations.csv` (every particle evaluated).",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def write_outputs(folder: Path, title: str, settings: dict[str, Any], post: pd.DataFrame, evaluations: pd.DataFrame,
                  params: Sequence[Param], pops: pd.DataFrame, point_skill: dict[str, float],
                  notes: Sequence[str] = ()) -> pd.DataFrame:  # fmt: skip
    """Write the tables, figures and report of a study; return the identifiability table."""
    ident = identifiability(post, evaluations, params)
    corr = correlations(post, params)
    for name, frame in (("posterior.csv", post), ("identifiability.csv", ident), ("generations.csv", pops)):
        atomic_write(folder / name, lambda p, f=frame: f.to_csv(p, index=False))
    atomic_write(folder / "correlations.csv", lambda p: corr.to_csv(p))
    figures(post, evaluations, params, ident, pops, corr, folder / "figures")
    write_text(folder / "report.md", report_text(title, settings, ident, pops, trade_offs(corr), point_skill, notes))
    return ident
