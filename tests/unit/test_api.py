"""The notebook API: `from sim import run`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import sim
from sim import run
from sim.outputs.io import read_events
from sim.outputs.metrics import OUTCOMES


def test_run_returns_tables_and_summary(historical):
    assert isinstance(historical.events, pd.DataFrame) and isinstance(historical.steps, pd.DataFrame)
    assert historical.output_dir is None
    for o in OUTCOMES:
        assert o.name in historical.summary, o.name
    assert historical.summary["rules"]["CHN"] == {"retaliation": "graduated", "thaw": "sanctioned_post_hold(weighted)"}
    assert historical.summary["rules"]["USA"] == {"retaliation": "graduated", "thaw": "weighted"}
    assert sim.run is run


def test_run_with_overrides_and_output_dir(tmp_path):
    result = run(["scenario=baseline", "seed=5", "figures=false"], output_dir=tmp_path / "r")
    assert result.output_dir == tmp_path / "r"
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["scenario"] == "baseline"
    assert not (tmp_path / "r" / "figures").exists()
    assert (tmp_path / "r" / "config.yaml").is_file()
    pd.testing.assert_frame_equal(read_events(tmp_path / "r"), result.events)
    # The file alone holds the same values, nulls as nulls (pandas reads its text into pyarrow-backed strings).
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "r" / "events.parquet"), result.events, check_dtype=False)


def test_summary_is_json_serialisable(historical):
    assert json.loads(json.dumps(historical.summary)) == historical.summary


# -- keywords, and values set without recomposing ----------------------------------------------------


def _same_run(a, b) -> None:
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.steps, b.steps)
    assert a.summary == b.summary


def test_keywords_give_the_run_that_composing_every_override_gives():
    from sim.api import execute
    from sim.config.compose import compose_config

    value = "governments.CHN.retaliation.trigger=0.5"
    fast = run(scenario="baseline", seed=5, overrides=[value], rules={"USA.retaliation": "tit_for_tat"})
    composed = ["scenario=baseline", "rules/retaliation@governments.USA.retaliation=tit_for_tat", "seed=5", value]
    _same_run(fast, execute(*reversed_pair(compose_config(composed))))
    _same_run(fast, run(composed))  # the older call form
    assert fast.summary["seed"] == 5 and fast.summary["rules"]["USA"]["retaliation"] == "tit_for_tat"


def reversed_pair(pair):
    cfg, choices = pair
    return cfg, None, choices


def test_a_loop_over_seeds_composes_hydra_once(monkeypatch):
    from sim.config import compose

    calls = []
    real = compose._compose_cached.__wrapped__
    compose._compose_cached.cache_clear()
    monkeypatch.setattr(compose, "_compose_cached",
                        compose.lru_cache(maxsize=8)(lambda *a: calls.append(a) or real(*a)))  # fmt: skip
    import sim.api

    sim.api._PREPARED.clear()
    seeds = [run(scenario="baseline", seed=s).summary["seed"] for s in range(4)]
    assert seeds == [0, 1, 2, 3] and len(calls) == 1


def test_an_edited_scenario_file_is_read_again(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("base: baseline\nname: first\n")
    assert run(scenario=str(path), seed=1).summary["scenario"] == "first"
    path.write_text("base: baseline\nname: second  \n")  # another size: a new stamp even within one clock tick
    assert run(scenario=str(path), seed=1).summary["scenario"] == "second"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"seed": -1}, r"seed=-1: must be a whole number >= 0"),
    ({"seed": True}, r"seed=True: must be a whole number >= 0"),
    ({"rules": {"CHN": "grim_trigger"}}, r"rules='CHN': name a government and a family"),
    ({"rules": {"CHN.retaliation": "nope"}}, r"no such option|nope"),
    ({"overrides": ["governments.CHN.retaliation.trigger_typo=1"]}, r"trigger_typo=1: unknown config key"),
    ({"overrides": ["seed=[1,"]}, r"overrides="),
])  # fmt: skip
def test_bad_keywords_and_values_are_one_line_errors(kwargs, match):
    from sim.core.errors import SimInputError

    with pytest.raises(SimInputError, match=match) as caught:
        run(**kwargs)
    assert "\n" not in str(caught.value)


def test_run_many_gives_one_row_per_run_and_the_same_rows_on_any_number_of_workers():
    from sim import run_many

    one = run_many(seeds=[4, 2], scenario="baseline", overrides=["replicates=2"], workers=1, progress=False)
    assert list(one[["job", "replicate", "base_seed"]].itertuples(index=False, name=None)) == [
        (0, 0, 4), (0, 1, 4), (1, 0, 2), (1, 1, 2)]  # fmt: skip
    assert (one["status"] == "ok").all() and set(one["p.scenario"]) == {"baseline"} and "p.replicates" not in one
    assert one.loc[0, "peak_tension"] != one.loc[1, "peak_tension"] or one.loc[0, "seed"] != one.loc[1, "seed"]
    single = run(scenario="baseline", seed=int(one.loc[2, "seed"]))
    assert one.loc[2, "peak_tension"] == pytest.approx(single.summary["peak_tension"])


def test_a_scenario_path_with_spaces_commas_and_quotes_and_the_older_positional_form(tmp_path):
    folder = tmp_path / "a,b (v2)"
    folder.mkdir()
    (folder / "it's.yaml").write_text("base: baseline\nname: quoted\n")
    r = run(scenario=str(folder / "it's.yaml"), seed=1)
    assert r.summary["scenario"] == "quoted" and r.config.seed == 1
    old = run(["seed=2", "figures=false"], tmp_path / "out")  # run(overrides, output_dir), as before
    assert old.output_dir == tmp_path / "out" and (tmp_path / "out" / "summary.json").is_file()


def test_an_edited_rule_file_in_a_users_config_folder_is_read_again(tmp_path):
    from sim.config.compose import CONFIG_DIR

    rule = tmp_path / "rules" / "retaliation" / "mine.yaml"
    rule.parent.mkdir(parents=True)
    text = (CONFIG_DIR / "rules" / "retaliation" / "tit_for_tat.yaml").read_text()
    rule.write_text(text)
    where = [f"hydra.searchpath=[file://{tmp_path}]"]
    first = run(seed=1, rules={"CHN.retaliation": "mine"}, overrides=where)
    rule.write_text(text.replace("trigger: 0.3", "trigger: 9.0 ") + "\n")  # answers nothing now
    second = run(seed=1, rules={"CHN.retaliation": "mine"}, overrides=where)
    assert second.summary["n_signals"] < first.summary["n_signals"]


@pytest.mark.parametrize("seeds", [5, ["a"], [1.7], [True], [-1], "012"])
def test_run_many_refuses_seeds_that_are_not_whole_numbers_in_one_line(seeds):
    from sim import run_many
    from sim.core.errors import SimInputError

    with pytest.raises(SimInputError, match=r"^run_many\(\): seeds="):
        run_many(seeds=seeds, progress=False)


def test_config_dir_adds_a_users_folder_and_its_new_groups(tmp_path):
    from sim import run_many
    from sim.config.compose import CONFIG_DIR
    from sim.core.errors import SimInputError

    (tmp_path / "rules" / "retaliation").mkdir(parents=True)
    text = (CONFIG_DIR / "rules" / "retaliation" / "tit_for_tat.yaml").read_text()
    (tmp_path / "rules" / "retaliation" / "mute.yaml").write_text(text.replace("trigger: 0.3", "trigger: 9.0 "))
    (tmp_path / "pinned").mkdir()  # a group of the user's own, not among the shipped ones
    (tmp_path / "pinned" / "seven.yaml").write_text("# @package _global_\nseed: 7\nscenario: baseline\n")
    muted = run(seed=1, rules={"CHN.retaliation": "mute"}, config_dir=tmp_path)
    assert muted.summary["n_signals"] < run(seed=1, rules={"CHN.retaliation": "tit_for_tat"}).summary["n_signals"]
    pinned = run(config_dir=[str(tmp_path)], overrides=["+pinned=seven"])
    assert (pinned.summary["seed"], pinned.summary["scenario"]) == (7, "baseline")
    table = run_many(seeds=[3], config_dir=tmp_path, overrides=["+pinned=seven"], progress=False)
    assert (table.loc[0, "p.pinned"], table.loc[0, "seed"]) == ("seven", 3)  # the job's seed wins over the file's
    assert table.loc[0, "peak_tension"] == run(scenario="baseline", seed=3).summary["peak_tension"]
    with pytest.raises(SimInputError, match=r"Could not override 'pinned'"):  # Hydra's word, not "unknown key"
        run(config_dir=tmp_path, overrides=["pinned=seven"])
    with pytest.raises(SimInputError, match=r"^run\(\): config_dir='.*nope': no such folder$"):
        run(config_dir=tmp_path / "nope")
