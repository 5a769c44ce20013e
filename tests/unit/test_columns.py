"""Column names of the steps table: built and parsed by sim.outputs.columns, and the table uses them."""

from __future__ import annotations

import pytest

from sim.core.vocabulary import load_vocabulary
from sim.outputs import columns


@pytest.mark.parametrize(
    ("name", "quantity", "actors", "channel"),
    [
        (columns.tension("USA", "CHN"), "tension", ("USA", "CHN"), ""),
        (columns.hostility("CHN", "TWN"), "hostility", ("CHN", "TWN"), ""),
        (columns.trust("USA", "CHN"), "trust", ("USA", "CHN"), ""),
        (columns.pressure("CHN"), "pressure", ("CHN",), ""),
        (columns.alignment("PHL"), "alignment", ("PHL",), ""),
        (columns.channel("USA", "CHN", "maritime_safety"), "channel", ("USA", "CHN"), "maritime_safety"),
        (columns.channel("USA", "CHN", "people_to_people"), "channel", ("USA", "CHN"), "people_to_people"),
    ],
)  # fmt: skip
def test_every_name_built_parses_back(name, quantity, actors, channel):
    assert columns.parse(name) == columns.Column(quantity, actors, channel)


def test_the_documented_spellings():
    assert columns.channel("USA", "CHN", "maritime_safety") == "channel_USA_CHN_maritime_safety"
    assert columns.hostility("CHN", "USA") == "hostility_CHN_USA"
    assert columns.state_column("CHN", ("hostility", "TWN")) == "hostility_CHN_TWN"
    assert columns.state_column("PHL", ("alignment", None)) == "alignment_PHL"


@pytest.mark.parametrize("name", ["step", "date", "tension_USA", "channel_USA_CHN", "pressure_USA_CHN", "mood_USA"])
def test_other_names_are_not_state_columns(name):
    assert columns.parse(name) is None


def test_selecting_and_reading_columns_of_a_real_table(historical):
    names = list(historical.steps.columns)
    assert columns.tension_column(names) == "tension_USA_CHN"
    chans = columns.of(names, columns.CHANNEL)
    assert len(chans) == len(load_vocabulary().channels) and all(c.startswith("channel_USA_CHN_") for c in chans)
    assert {columns.channel_name(c) for c in chans} >= {"maritime_safety", "defense_ministers", "working_groups"}
    assert {columns.actor_of(c) for c in columns.of(names, columns.ALIGNMENT)} == {"TWN", "JPN", "PHL", "AUS", "ASN"}
    # Every column but step and date is a state column the module can name.
    assert all(columns.parse(c) is not None for c in names if c not in ("step", "date"))
    with pytest.raises(KeyError):
        columns.channel_name("hostility_USA_CHN")
