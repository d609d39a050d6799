"""Scenarios from Python: loading, key-path access, validation errors as the CLI reports them,
and round trips through YAML files and dicts."""
import copy
import os
import pickle
import subprocess

import pytest

import gatesim as gs
from conftest import distribution_field


def test_library_lists_and_loads_scenarios():
    names = gs.Scenario.library()
    assert {"baseline", "global_shutdown"} <= set(names)
    assert "defaults" not in names
    sc = gs.Scenario.library("global_shutdown")
    assert sc.name == "global_shutdown"
    assert gs.Scenario.library("global_shutdown.yaml") == sc
    with pytest.raises(KeyError, match="available"):
        gs.Scenario.library("no_such_scenario")


def test_load_file_with_overrides(root):
    sc = gs.Scenario.load(root / "scenarios" / "global_shutdown.yaml", {"population.agents": 5000, "days": 90})
    assert sc["population.agents"] == 5000 and sc.days == 90
    same = gs.Scenario.load(str(root / "scenarios" / "global_shutdown.yaml"), ["population.agents=5000", "days=90"])
    assert same == sc


def test_get_returns_typed_python_values(shutdown):
    assert isinstance(shutdown["days"], int)
    assert isinstance(shutdown["population.users"], float)
    assert shutdown["name"] == "global_shutdown"
    assert isinstance(shutdown["directive.models"], list) and shutdown["directive.models"]
    directive = shutdown["directive"]
    assert isinstance(directive, dict) and directive["day"] == shutdown["directive.day"]
    models = shutdown["models"]
    first = next(iter(models))
    assert shutdown[f"models.{first}"] == models[first]
    assert shutdown.to_dict()["directive"] == directive
    assert "directive.day" in shutdown and "directive.nope" not in shutdown


def test_get_unknown_key_path_is_a_key_error(shutdown):
    with pytest.raises(KeyError, match="fields there: .*day"):
        shutdown["directive.dya"]
    assert shutdown.get("directive.dya", 5) == 5


def test_set_is_validated_like_the_cli(shutdown):
    shutdown["directive.day"] = 10
    assert shutdown["directive.day"] == 10
    key = distribution_field(shutdown)
    lognormal = {"dist": "lognormal", "median": 2.5, "sigma": 0.25}
    shutdown[key] = lognormal
    assert shutdown[key] == lognormal
    shutdown[key] = 2.5
    assert shutdown[key] == 2.5

    with pytest.raises(gs.ScenarioError) as failure:
        shutdown["directive.day"] = "oops"
    error = failure.value
    assert isinstance(error, ValueError)
    assert error.key_path == "directive.day"
    assert "expected a whole number" in str(error)
    assert error.problems[0].key_path == "directive.day"
    assert shutdown["directive.day"] == 10, "a failed set leaves the scenario unchanged"

    with pytest.raises(gs.ScenarioError, match="did you mean 'day'"):
        shutdown["directive.dya"] = 3
    with pytest.raises(gs.ScenarioError, match=r"in \[0, 3650\]"):
        shutdown["directive.day"] = -1
    with pytest.raises(TypeError, match="cannot write a value of type object"):
        shutdown["directive.day"] = object()


def test_set_accepts_numpy_values(shutdown):
    np = pytest.importorskip("numpy")
    key = distribution_field(shutdown)
    shutdown["directive.day"] = np.int64(12)
    shutdown[key] = np.float64(3.0)
    assert shutdown["directive.day"] == 12 and shutdown[key] == 3.0
    shutdown[key] = {"dist": "uniform", "low": np.float64(1.0), "high": np.array(4.0)}
    assert shutdown[key] == {"dist": "uniform", "low": 1, "high": 4}


def test_cli_style_assignment(shutdown):
    shutdown.set("directive.models=[a_frontier]")
    assert shutdown["directive.models"] == ["a_frontier"]


def test_update_is_all_or_nothing_and_validates_together(shutdown):
    models = shutdown["models"]
    a, b = list(models)[:2]
    share_a, share_b = models[a]["shares"]["api"], models[b]["shares"]["api"]
    # Either change alone breaks "shares sum to one"; together they are consistent.
    with pytest.raises(gs.ScenarioError):
        shutdown[f"models.{a}.shares.api"] = share_a + 0.01
    changed = shutdown.updated({f"models.{a}.shares.api": share_a + 0.01, f"models.{b}.shares.api": share_b - 0.01})
    assert changed[f"models.{a}.shares.api"] == pytest.approx(share_a + 0.01)
    assert shutdown[f"models.{a}.shares.api"] == share_a, "updated() returns a copy"
    with pytest.raises(gs.ScenarioError):
        shutdown.update({"directive.day": 20, "days": -3})
    assert shutdown["directive.day"] != 20, "a failed update changes nothing"


def test_broken_corpus_errors_match_the_cli(root, cli):
    corpus = sorted((root / "tests" / "scenarios" / "broken").glob("*.yaml"))
    assert corpus
    for path in corpus:
        expected_line = int(path.read_bytes().splitlines()[0].split()[2])  # some are not UTF-8
        with pytest.raises(gs.ScenarioError) as failure:
            gs.Scenario.load(path)
        error = failure.value
        cli_run = subprocess.run([str(cli), "validate", str(path)], capture_output=True, text=True)
        assert cli_run.returncode == 2
        assert str(error) == cli_run.stderr.strip(), path.name
        assert error.problems and all(isinstance(p, gs.Problem) for p in error.problems)
        assert any(p.line == expected_line and p.file == str(path) for p in error.problems), path.name
        assert error.line == error.problems[0].line and error.file == error.problems[0].file


def test_located_error_carries_line_column_and_key_path(root):
    with pytest.raises(gs.ScenarioError) as failure:
        gs.Scenario.load(root / "tests" / "scenarios" / "broken" / "unknown_key.yaml")
    problem = failure.value.problems[0]
    assert problem.key_path == "models.a_frontier.capabilty"
    assert problem.line == 5 and problem.column > 0
    assert str(problem).startswith(f"{problem.file}:5:{problem.column}: models.a_frontier.capabilty: unknown key")


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(gs.ScenarioError, match="cannot open the file"):
        gs.Scenario.load(tmp_path / "absent.yaml")


def test_save_and_load_round_trip(shutdown, tmp_path):
    shutdown["directive.day"] = 9
    path = tmp_path / "mine.yaml"
    shutdown.save(path)
    again = gs.Scenario.load(path)
    assert again == shutdown
    assert again.to_yaml() == shutdown.to_yaml() == path.read_text()
    assert again.where("directive.day")[0] == str(path)


def test_from_dict_round_trip_and_extends(shutdown, root, tmp_path):
    assert gs.Scenario.from_dict(shutdown.to_dict()) == shutdown
    derived = gs.Scenario.from_dict({"extends": "scenarios/global_shutdown.yaml", "name": "derived",
                                     "population": {"agents": 5000}}, base_dir=root)
    assert derived.name == "derived" and derived["population.agents"] == 5000
    assert derived["directive.models"] == shutdown["directive.models"]
    with pytest.raises(gs.ScenarioError, match="cannot open"):
        gs.Scenario.from_dict({"extends": "scenarios/global_shutdown.yaml"}, base_dir=tmp_path)
    with pytest.raises(gs.ScenarioError) as failure:
        gs.Scenario.from_dict({"name": "empty"})
    assert any("missing required field" in p.message for p in failure.value.problems)
    with pytest.raises(TypeError):
        gs.Scenario.from_dict(["not", "a", "map"])


def test_from_yaml(shutdown):
    assert gs.Scenario.from_yaml(shutdown.to_yaml()) == shutdown
    with pytest.raises(gs.ScenarioError, match="malformed YAML"):
        gs.Scenario.from_yaml("days: [1, 2", origin="inline")


def test_copies_and_pickles_are_independent(shutdown):
    for other in (shutdown.copy(), copy.copy(shutdown), copy.deepcopy(shutdown), pickle.loads(pickle.dumps(shutdown))):
        assert other == shutdown
        other["directive.day"] = 3
        assert shutdown["directive.day"] != 3
    error = gs.ScenarioError([gs.Problem("f.yaml", 1, 2, "a.b", "bad")])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems and again.key_path == "a.b"


# --- hostile input: every case is a typed error, never a crash or a silently different value ---

def test_recursive_or_deep_objects_are_scenario_errors(baseline):
    loop = {"name": "loop"}
    loop["self"] = loop
    with pytest.raises(gs.ScenarioError, match="refers to itself"):
        gs.Scenario.from_dict(loop)
    items = [1]
    items.append(items)
    with pytest.raises(gs.ScenarioError, match="refers to itself") as failure:
        gs.Scenario.from_dict({"name": "x", "directive": {"models": items}})
    assert failure.value.key_path == "directive.models.1"
    deep = {}
    for _ in range(100_000):
        deep = {"k": deep}
    with pytest.raises(gs.ScenarioError, match="nested more than 64 levels"):
        gs.Scenario.from_dict(deep)
    with pytest.raises(gs.ScenarioError, match="nested more than 64 levels"):
        baseline["description"] = deep
    # A value used twice is not a cycle.
    shared = {"user_share": 0.5}
    with pytest.raises(gs.ScenarioError) as failure:
        gs.Scenario.from_dict({"regions": {"a": shared, "b": shared}})
    assert "refers to itself" not in str(failure.value)


def test_integers_beyond_their_type_are_refused(baseline):
    seed = baseline.seed
    with pytest.raises(gs.ScenarioError, match=r"whole number in \[0, 18446744073709551615\]"):
        baseline["seed"] = 2**64
    assert baseline.seed == seed
    baseline["seed"] = 2**64 - 1
    assert baseline.seed == 2**64 - 1


def test_a_directory_is_a_scenario_error(tmp_path):
    with pytest.raises(gs.ScenarioError, match="is a directory"):
        gs.Scenario.load(tmp_path)


def test_messages_about_bytes_that_are_not_text_survive(tmp_path):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"name: ok\ncaf\xe9: 1\n")
    with pytest.raises(gs.ScenarioError, match="byte 0xE9 is not UTF-8") as failure:
        gs.Scenario.load(latin1)
    assert failure.value.line == 2
    # A file name that is not UTF-8 is quoted with its bytes escaped.
    odd_name = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.yaml")
    with pytest.raises(gs.ScenarioError, match="cannot open the file") as failure:
        gs.Scenario.load(odd_name)
    assert failure.value.file.endswith("caf\\xE9.yaml")
