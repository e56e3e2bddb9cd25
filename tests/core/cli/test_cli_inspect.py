"""``python -m core inspect``: the X-ray as JSON and as a table, and its bad inputs."""

from __future__ import annotations

import json

import pytest

from core.cli import main


def test_inspect_json_has_every_step_with_states_and_gates(toy, capsys):
    _, store, snap = toy
    text = "the story was great"
    assert main(["inspect", "--runs-dir", str(store.root), "--run", snap.run_id, "--json", text]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["run_id"] == snap.run_id
    assert data["tokens"] == ["<start>", "the", "story", "was", "great"]
    assert [w for step in data["steps"] for w in step["words"]] == data["tokens"]
    assert len(data["prefix_probability"]) == len(data["steps"])
    assert abs(data["prefix_probability"][-1] - data["probability"]) < 1e-5
    units = 8  # the toy run's units
    for step in data["steps"]:
        assert len(step["hidden"]) == len(step["cell"]) == units
        assert set(step["gates"]) == {"input", "forget", "output"}
        assert all(0.0 <= v <= 1.0 for values in step["gates"].values() for v in values)


def test_inspect_table_and_bad_inputs(toy, capsys):
    _, store, snap = toy
    assert main(["inspect", "--runs-dir", str(store.root), "--run", snap.run_id, "not", "bad", "at", "all"]) == 0
    out = capsys.readouterr().out
    assert "verdict" in out and "forget" in out and "P(positive)" in out
    assert main(["inspect", "--runs-dir", str(store.root), "--run", snap.run_id, "--layer", "2", "good"]) == 2
    assert "1 recurrent layer" in capsys.readouterr().err
    assert main(["inspect", "--runs-dir", str(store.root), "--run", snap.run_id, "   "]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "word" in err


def test_inspect_intervene_keeps_todays_keys_and_adds_the_intervened_verdict(toy, capsys):
    _, store, snap = toy
    base = ["inspect", "--runs-dir", str(store.root), "--run", snap.run_id, "--json"]
    text = "the story was great but the acting was awful"
    assert main([*base, text]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main([*base, "--intervene", "forget:5", "--intervene", "silence:0", text]) == 0
    data = json.loads(capsys.readouterr().out)
    after = data.pop("intervened")
    assert data == plain  # the untouched model's keys and numbers, unchanged
    assert after["interventions"] == ["forget:5", "silence:0"]
    assert abs(after["steps"][-1]["prefix_probability"] - after["probability"]) < 1e-9
    assert [set(s) for s in after["steps"]] == [set(s) for s in plain["steps"]]
    assert all(v == 0 for v in after["steps"][5]["gates"]["forget"])
    assert after["steps"][3]["hidden"][0] == 0.0 and after["changed_steps"]
    assert main([*base, "--intervene", "ignore:3-5", text]) == 0  # a span: steps 3, 4 and 5
    span = json.loads(capsys.readouterr().out)["intervened"]
    assert span["interventions"] == ["ignore:3-5"]
    assert [all(v == 0 for v in step["gates"]["input"]) for step in span["steps"][2:7]] == [0, 1, 1, 1, 0]
    assert main([*base[:-1], "--intervene", "forget:5", text]) == 0
    table = capsys.readouterr().out
    assert " after" in table.splitlines()[1] and "With forget:5: P(positive) = " in table


@pytest.mark.parametrize(
    ("spec", "words"),
    [("forget", "not KIND:WHERE"), ("shout:2", "unknown kind"), ("forget:40", "out of range"), ("silence:8", "unit 8")],
)
def test_a_bad_intervention_is_one_line_not_a_traceback(toy, capsys, spec, words):
    _, store, snap = toy
    assert main(["inspect", "--runs-dir", str(store.root), "--run", snap.run_id, "--intervene", spec, "good"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err
