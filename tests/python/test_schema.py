"""The scenario JSON Schema (`gatesim schema`, generated from describe()): every library scenario
validates against it, as an editor reads YAML (1.2), and it rejects every broken scenario whose
error a schema can express, at the key gatesim validate names."""
import json
import re
import subprocess
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")
yaml = pytest.importorskip("yaml")


class Yaml12(yaml.SafeLoader):
    """YAML 1.2 floats (1.0e9, without a sign in the exponent), as editors' YAML servers read them."""


Yaml12.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$"),
    list("-+0123456789."))

# Broken scenarios whose error a schema can express, with the key path it must name.
EXPRESSIBLE = {
    "bad_distribution.yaml": "regulator.decision_after_days", "bad_enum.yaml": "directive.stages.shutdown.rule",
    "bad_trigger.yaml": "directive.stages.reopened.trigger", "missing_everything.yaml": "",
    "negative_day.yaml": "directive.day", "out_of_range.yaml": "segments.consumer.return_probability",
    "unknown_key.yaml": "models.a_frontier", "unknown_top_key.yaml": "", "wrong_type_integer.yaml": "days",
    "wrong_type_map.yaml": "population", "wrong_type_number.yaml": "models.a_frontier.price",
    "seed_beyond_uint64.yaml": "seed",
}
# And why the schema cannot express the others: `gatesim validate` finds them.
NOT_EXPRESSIBLE = {
    "bad_indent.yaml": "malformed YAML, found by the YAML parser", "malformed.yaml": "malformed YAML",
    "duplicate_key.yaml": "a YAML-level duplicate (JSON has no duplicate keys)",
    "directive_after_horizon.yaml": "compares two fields", "fence_without_regions.yaml": "depends on another field",
    "missing_base.yaml": "a file that does not exist", "self_extends.yaml": "a cycle of files",
    "missing_required.yaml": "a new entity versus one patched from the base file",
    "shares.yaml": "a sum over entries", "uncertain_fractional_choice.yaml": "a distribution's values against the type",
    "uncertain_outside_range.yaml": "a distribution's support against the range",
    "unknown_model.yaml": "a reference to another entity", "unknown_partner_model.yaml": "a reference to another entity",
    "unknown_provider.yaml": "a reference to another entity",
    "duplicate_region.yaml": "a YAML-level duplicate", "choice_weights_overflow.yaml": "a sum of weights",
    "tasks_lognormal_tail.yaml": "a distribution's quantile against the range",
    "extends_directory.yaml": "a file system check", "extends_name_too_long.yaml": "a file system check",
    "nested_too_deep.yaml": "an input limit", "not_utf8.yaml": "bytes that are not text",
    "nul_byte.yaml": "a control character in text", "escaped_carriage_return.yaml": "a control character in text",
    "unserved_region.yaml": "a region against the models' shares", "cloud_mix_unhosted.yaml": "a reference to another entity",
    "unknown_weight_provider.yaml": "a reference to another entity", "share_without_app.yaml": "a share against another field",
    "bad_scope.yaml": "a reference to another entity",
}


@pytest.fixture(scope="module")
def schema(cli):
    out = subprocess.run([str(cli), "schema"], check=True, capture_output=True, text=True).stdout
    schema = json.loads(out)
    jsonschema.Draft7Validator.check_schema(schema)
    return schema


@pytest.fixture(scope="module")
def validator(schema):
    return jsonschema.Draft7Validator(schema)


def load(path: Path):
    return yaml.load(path.read_text(), Yaml12)


def test_every_library_scenario_validates(root, validator):
    files = sorted((root / "scenarios").glob("*.yaml"))
    assert len(files) >= 9
    for path in files:
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(load(path))]
        assert not errors, (path.name, errors)


def test_the_broken_corpus_is_rejected_where_a_schema_can_say_why(root, validator):
    corpus = {p.name for p in (root / "tests" / "scenarios" / "broken").glob("*.yaml")}
    assert corpus == set(EXPRESSIBLE) | set(NOT_EXPRESSIBLE), "classify every corpus file"
    for name, key_path in EXPRESSIBLE.items():
        errors = list(validator.iter_errors(load(root / "tests" / "scenarios" / "broken" / name)))
        assert errors, f"{name}: the schema accepts it"
        assert any(".".join(map(str, e.absolute_path)) == key_path for e in errors), \
            (name, [(list(e.absolute_path), e.message) for e in errors])


def test_fields_carry_descriptions_units_ranges_and_enumerations(schema):
    top = schema["properties"]
    assert "Unit: days" in top["days"]["description"] and "Range: 1 to 3650" in top["days"]["description"]
    assert top["days"]["else"] == {"type": "integer", "minimum": 1, "maximum": 3650}
    assert top["start_date"]["format"] == "date"
    model = top["models"]["additionalProperties"]["else"]
    assert model["additionalProperties"] is False
    assert model["properties"]["capability"]["else"]["maximum"] == 10
    stage = top["directive"]["properties"]["stages"]["additionalProperties"]["else"]
    assert "geo_fence" in stage["properties"]["rule"]["enum"]
    assert set(schema["definitions"]["distribution"]["properties"]["dist"]["enum"]) >= {"uniform", "lognormal"}


def test_a_file_that_extends_nothing_needs_every_required_field(validator, root):
    complete = load(root / "scenarios" / "defaults.yaml")
    assert not list(validator.iter_errors(complete))
    del complete["population"]["agents"]
    assert any("'agents' is a required property" in e.message for e in validator.iter_errors(complete))
