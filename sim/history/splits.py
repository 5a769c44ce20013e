"""Which facts a model is fitted on and which it is scored on: in-sample, temporal and leave-one-episode-out.

A split is one or more folds; each fold divides the facts (:mod:`sim.history.facts`)
into a training part, on which models and reference models are fitted, and a
test part, on which they are scored out of sample:

* ``none``: one fold whose training part is every fact; scores are in sample.
* ``temporal``: facts known before a cutoff day train, the rest test (the
  cutoff is configured, as ``temporal_cutoff`` in ``configs/validate.yaml``).
* ``episode:<EPISODE>``: that episode's facts test (its tag, as ``E2023_BALLOON``, or
  its short name, as ``balloon``), the others train.
* ``loeo``: leave-one-episode-out, one ``episode:`` fold per episode with facts.

Channel status is divided by day: before and after the cutoff, or inside and
outside the intervals of the held-out episode's facts (each from its trigger,
request, spell start or summit to the day its value became known). A
leave-one-episode-out fold is *purged* (blocked cross-validation for dependent
data, Roberts et al. 2017, Ecography 40:913): a fact of another episode whose
interval overlaps a held-out fact's is in neither part, so that, for example, a
suspension spanning the held-out episode cannot teach the model its outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.core.errors import SimInputError
from sim.history.facts import Fact, Facts
from sim.history.targets import short_name

SPLITS = ("none", "temporal", "episode:<EPISODE>", "loeo")


@dataclass(frozen=True)
class Part:
    """The facts of one side of a fold: fact ids, and per channel the status days (True: in this part)."""

    ids: frozenset[str]
    days: Mapping[str, np.ndarray]

    def __contains__(self, fact_id: str) -> bool:
        return fact_id in self.ids

    @property
    def empty(self) -> bool:
        return not self.ids and not any(m.any() for m in self.days.values())


@dataclass(frozen=True)
class Fold:
    """One division of the facts: ``name`` (``all``, ``temporal``, an episode's short name), train and test parts.

    ``test`` is None for the in-sample split; ``episode`` is the held-out episode's tag ("" if none).
    """

    name: str
    train: Part
    test: Part | None
    episode: str = ""


def _part(facts: Facts, keep, keep_days) -> Part:
    return Part(
        frozenset(f.id for f in facts.facts if keep(f)),
        {t.channel: keep_days(t.dates) for t in facts.status},
    )


def _episode_fold(facts: Facts, episode: str) -> Fold:
    """The episode's facts test; the other facts train unless their interval overlaps a test fact's (purged)."""
    held = [(f.since, f.date) for f in facts.facts if f.episode == episode]

    def inside(dates: pd.DatetimeIndex) -> np.ndarray:
        mask = np.zeros(len(dates), dtype=bool)
        for first, last in held:
            mask |= np.asarray((dates >= first) & (dates <= last))
        return mask

    def overlaps(f: Fact) -> bool:
        return any(f.since <= last and first <= f.date for first, last in held)

    test = _part(facts, lambda f: f.episode == episode, inside)
    train = _part(facts, lambda f: f.episode != episode and not overlaps(f), lambda d: ~inside(d))
    return Fold(short_name(episode), train, test, episode)


def resolve_episode(facts: Facts, name: str, source: str = "split") -> str:
    """An episode tag from its tag or short name; a one-line error naming the known ones otherwise."""
    for e in facts.episodes:
        if name in (e, short_name(e)):
            return e
    known = ", ".join(short_name(e) for e in facts.episodes)
    raise SimInputError(source, "split", f"episode:{name}", f"no episode with facts by that name (known: {known})")


def make_split(facts: Facts, split: str, cutoff: pd.Timestamp | None = None, source: str = "split") -> tuple[Fold, ...]:
    """The folds of ``split`` (one of :data:`SPLITS`).

    Raises:
        SimInputError: an unknown split or episode, a missing cutoff, or a fold with an empty part.
    """
    if split == "none":
        everything = _part(facts, lambda f: True, lambda d: np.ones(len(d), dtype=bool))
        folds: tuple[Fold, ...] = (Fold("all", everything, None),)
    elif split == "temporal":
        if cutoff is None:
            raise SimInputError(source, "temporal_cutoff", None, "the temporal split needs a cutoff day")
        folds = (Fold(
            "temporal",
            _part(facts, lambda f: f.date < cutoff, lambda d: np.asarray(d < cutoff)),
            _part(facts, lambda f: f.date >= cutoff, lambda d: np.asarray(d >= cutoff)),
        ),)  # fmt: skip
    elif split.startswith("episode:"):
        folds = (_episode_fold(facts, resolve_episode(facts, split.partition(":")[2], source)),)
    elif split == "loeo":
        folds = tuple(_episode_fold(facts, e) for e in facts.episodes)
    else:
        raise SimInputError(source, "split", split, f"unknown split (choose one of {', '.join(SPLITS)})")
    for fold in folds:
        for side, part in (("training", fold.train), ("test", fold.test)):
            if part is not None and part.empty:
                raise SimInputError(source, "split", split, f"fold {fold.name} has no fact in its {side} part")
    return folds


def split_tag(split: str) -> str:
    """A split as a name part: ``temporal``, ``episode:E2023_BALLOON`` -> ``balloon``, ``none`` -> ``all``."""
    if split.startswith("episode:"):
        return short_name(split.partition(":")[2])
    return "all" if split == "none" else split


def training_facts(facts: Facts, part: Part) -> list[Fact]:
    """The facts of a part, in the facts' order."""
    return [f for f in facts.facts if f.id in part]
