"""The documented 2022-2024 timeline: what actually happened, for calibration and plots.

``sim/data/timeline_2022_2024.csv`` holds one row per sourced event of
``shared/reference/documented_2022_2024.csv`` (94 rows, August 2022 to
December 2024, plus the 2018 US sanctions on Li Shangfu), recoded in the
project's vocabulary:

* ``sender``/``receiver`` are actor codes from ``sim/data/actors.csv``;
* ``kind`` is a signal kind from ``sim/data/signal_kinds.csv`` and ``channel``
  a dialogue channel from ``sim/data/channels.csv`` (empty where no channel is
  involved);
* ``episode``, ``role`` and ``mechanism`` split the source's episode tag
  ``[EPISODE|role:mechanism]`` (all empty for untagged rows), so
  ``[E2022_PELOSI|thaw:DPCT]`` becomes ``E2022_PELOSI``, ``thaw``, ``DPCT``;
* ``cameo_code`` and ``goldstein`` are the source's event coding, checked
  against the published table ``sim/data/cameo_goldstein.tsv``;
* ``description`` is a one-sentence summary written for this project, and
  ``source`` keeps the source's references unchanged.

Nothing is read at import time: call :func:`load_timeline` (or
:func:`episodes`) when the data are needed.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd

from sim.core.errors import SimInputError
from sim.core.vocabulary import DATA_DIR, load_vocabulary

TIMELINE_PATH = DATA_DIR / "timeline_2022_2024.csv"

COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "date_precision",
    "sender",
    "receiver",
    "kind",
    "channel",
    "episode",
    "role",
    "mechanism",
    "description",
    "cameo_code",
    "goldstein",
    "confidence",
    "source",
)
"""The timeline's columns, in file order."""

DATE_PRECISIONS: tuple[str, ...] = ("day", "approx", "range_start", "month", "year")
"""How exactly ``date`` is known: the day, about that day, the first day of a
range, only the month (``date`` is the 1st), only the year."""

CONFIDENCES: tuple[str, ...] = ("high", "medium", "low")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_EPISODE = re.compile(r"^E\d{4}_[A-Z0-9_]+$")
_CAMEO = re.compile(r"^\d{2,4}$")


def load_timeline(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a documented timeline.

    Args:
        path: The CSV file to read; ``None`` reads the shipped
            ``sim/data/timeline_2022_2024.csv``.

    Returns:
        One row per event in file (date) order, with the columns of
        :data:`COLUMNS`: ``date`` as ``datetime64[ns]`` (midnight), ``goldstein``
        as float, ``cameo_code`` and every other column as strings exactly as
        in the file (empty fields are ``""``, never NaN).

    Raises:
        SimInputError: The file is missing or unreadable, a column is
            missing, or a row is invalid: an unknown kind, channel or actor,
            a malformed or out-of-order date, a duplicate id, an unknown CAMEO
            code or a Goldstein score that differs from the published table.
            The message names the file, the row (data rows count from 1, as in
            ``row 12.kind``) and the offending value.
    """
    path = TIMELINE_PATH if path is None else Path(path).expanduser()
    src = str(path)
    if not path.is_file():
        raise SimInputError(src, "file", src, "no such timeline file")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError) as e:
        raise SimInputError(src, "file", src, f"cannot be read: {e}") from None
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SimInputError(src, "header", ", ".join(missing), "missing column(s); see sim.history.timeline.COLUMNS")
    try:
        df = pd.read_csv(
            path,
            usecols=list(COLUMNS),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8",
        )
    except (ValueError, pd.errors.ParserError) as e:
        problem = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SimInputError(src, "file", src, f"not a valid CSV timeline: {problem}") from None
    df = df[list(COLUMNS)].fillna("")  # short rows: missing trailing fields read as empty
    goldstein = _validate(df, src)
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d").astype("datetime64[ns]")
    df["goldstein"] = goldstein
    return df.reset_index(drop=True)


def episodes(timeline: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The rows of each tagged episode.

    Args:
        timeline: A frame from :func:`load_timeline`; ``None`` loads the
            shipped timeline.

    Returns:
        A mapping from episode code (``E2022_PELOSI``, ``E2023_BALLOON``, ...)
        to that episode's rows, in date order with a fresh 0-based index,
        episodes ordered by their first row. Untagged rows belong to no
        episode.
    """
    df = load_timeline() if timeline is None else timeline
    tagged = df[df["episode"] != ""]
    return {
        str(code): rows.reset_index(drop=True)
        for code, rows in tagged.groupby("episode", sort=False)
    }


def _validate(df: pd.DataFrame, src: str) -> list[float]:
    """Check every row against the vocabulary; return the parsed Goldstein scores."""
    vocab = load_vocabulary()
    seen: dict[str, int] = {}
    previous: dt.date | None = None
    scores: list[float] = []
    for i, row in enumerate(df.itertuples(index=False), start=1):
        r = row._asdict()

        def bad(field: str, problem: str) -> SimInputError:
            return SimInputError(src, f"row {i}.{field}", r[field], problem)  # noqa: B023 (raised at once)

        rid = r["id"]
        if not _ID.match(rid):
            raise bad("id", "must be a non-empty slug of lower-case letters, digits and hyphens")
        if rid in seen:
            raise bad("id", f"duplicate id (first used in row {seen[rid]})")
        seen[rid] = i

        date = _parse_date(r["date"])
        if date is None:
            raise bad("date", "must be a date written YYYY-MM-DD")
        if previous is not None and date < previous:
            raise bad("date", f"is before the previous row's date {previous} (rows must be sorted by date)")
        previous = date
        if r["date_precision"] not in DATE_PRECISIONS:
            raise bad("date_precision", f"must be one of {', '.join(DATE_PRECISIONS)}")

        for field in ("sender", "receiver"):
            if r[field] not in vocab.actors:
                raise bad(field, f"unknown actor (known: {', '.join(vocab.actors)})")
        if r["kind"] not in vocab.kinds:
            raise bad("kind", "unknown signal kind (see sim/data/signal_kinds.csv)")
        if r["channel"] and r["channel"] not in vocab.channels:
            raise bad("channel", f"unknown channel (known: {', '.join(vocab.channels)}; empty for none)")

        if r["episode"] and not _EPISODE.match(r["episode"]):
            raise bad("episode", "must look like E2022_PELOSI (or be empty)")
        for field in ("role", "mechanism"):
            if r[field] and not r["episode"]:
                raise bad(field, "is set on a row without an episode")
        if r["mechanism"] and not r["role"]:
            raise bad("mechanism", "is set on a row without a role")

        if not r["description"].strip():
            raise bad("description", "must not be empty")
        code = r["cameo_code"]
        if not _CAMEO.match(code) or code not in vocab.goldstein:
            raise bad("cameo_code", "not a CAMEO code of sim/data/cameo_goldstein.tsv (keep leading zeros)")
        try:
            score = float(r["goldstein"])
        except ValueError:
            raise bad("goldstein", "must be a number") from None
        if not math.isclose(score, vocab.goldstein[code], abs_tol=1e-9):
            raise bad("goldstein", f"differs from the published score {vocab.goldstein[code]:g} of CAMEO {code}")
        scores.append(score)
        if r["confidence"] not in CONFIDENCES:
            raise bad("confidence", f"must be one of {', '.join(CONFIDENCES)}")
        if not r["source"].strip():
            raise bad("source", "must name at least one source")
    return scores


def _parse_date(text: str) -> dt.date | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
