"""GET /api/v1/meta: the page's vocabulary, built from core.contract and the settings, and
include "auto", where the server (not the page) decides which heavy sections fit."""

import core.contract as contract
from app.settings import MAX_AUTO_NUMBERS


def test_meta_names_every_cell_gate_and_parameter_as_the_core_does(client):
    meta = client.get("/api/v1/meta").json()
    assert [c["name"] for c in meta["cells"]] == list(contract.CELLS)
    for cell in meta["cells"]:
        assert [g["name"] for g in cell["gates"]] == list(contract.GATE_VALUES[cell["name"]])
        assert cell["params"] == list(contract.PARAM_NAMES[cell["name"]])
        assert [g["letter"] for g in cell["gates"]] == [contract.gate_letter(cell["name"], g) for g in contract.GATE_VALUES[cell["name"]]]
    assert [a["name"] for a in meta["activations"]] == list(contract.ACTIVATION_NAMES)
    assert [h["name"] for h in meta["heads"]] == list(contract.HEAD_NAMES)
    assert meta["tasks"] == list(contract.TASK_NAMES)
    assert [p["name"] for p in meta["presets"]] == [p["name"] for p in client.get("/api/v1/presets").json()]


def test_meta_limits_and_defaults_are_the_ones_the_request_schema_enforces(client):
    meta = client.get("/api/v1/meta").json()
    schema = client.get("/openapi.json").json()["components"]["schemas"]["UnfoldRequest"]["properties"]
    maximum = lambda name: next(v["maximum"] for v in [schema[name], *schema[name].get("anyOf", [])] if "maximum" in v)  # noqa: E731
    limits = meta["limits"]
    assert limits["hidden_size"] == schema["hidden_size"]["maximum"]
    assert limits["seed"] == schema["seed"]["maximum"]
    assert limits["truncate"] == maximum("truncate")
    assert limits["spectral_radius"] == maximum("spectral_radius")
    assert limits["forget_bias"] == maximum("forget_bias")
    assert limits["steps"] + 1 == next(v["maxLength"] for v in schema["sequence"]["anyOf"] if "maxLength" in v)
    for name in ("task", "cell", "hidden_size", "seed"):
        assert meta["defaults"][name] == schema[name]["default"]
    # the defaults are what a request without the field gets
    config = client.post("/api/v1/unfold", json={"sequence": "hello"}).json()["config"]
    assert (config["activation"], config["task"], config["cell"], config["hidden_size"]) == (
        meta["defaults"]["activation"], meta["defaults"]["task"], meta["defaults"]["cell"], meta["defaults"]["hidden_size"])
    lstm = client.post("/api/v1/unfold", json={"sequence": "hello", "cell": "lstm"}).json()["config"]
    assert lstm["forget_bias"] == meta["defaults"]["forget_bias"]


def test_cell_only_fields_are_refused_for_the_other_cells(client):
    meta = client.get("/api/v1/meta").json()
    values = {"activation": "relu", "spectral_radius": 0.9, "forget_bias": 2.0, "input_bias": -3.0, "update_bias": 3.0,
              "s0": [0.0, 0.0]}
    for field, owner in meta["cell_only"].items():
        for cell in meta["cells"]:
            body = {"sequence": "hello", "hidden_size": 2, "cell": cell["name"], field: values[field]}
            response = client.post("/api/v1/unfold", json=body)
            assert (response.status_code == 200) == (cell["name"] in owner), (field, cell["name"], response.text)


def test_auto_includes_each_page_section_only_while_it_fits(client):
    small = client.post("/api/v1/unfold", json={"sequence": "hello world", "include": ["auto"]}).json()
    assert small["config"]["include"] == ["flow_shares", "per_step_gradients", "gain"]
    assert "share" in small["flows"] and "per_step" in small["gradients"]
    # T = 299, H = 16, 38 characters: T x |theta| = 299 * (16*38*2 + 16*16 + 16 + 38) > 200,000 >= T^2
    text = ("the quick brown fox jumps over the lazy dog 0123456789" * 6)[:300]
    big = client.post("/api/v1/unfold", json={"sequence": text, "hidden_size": 16, "include": ["auto"]}).json()
    steps = big["config"]["steps"]
    assert steps * steps <= MAX_AUTO_NUMBERS
    assert big["config"]["include"] == ["flow_shares", "gain"]
    assert "share" in big["flows"] and "per_step" not in big["gradients"]
    # asked for by name, the same section comes (its own, larger limit applies)
    named = client.post("/api/v1/unfold", json={"sequence": text, "hidden_size": 16,
                                                "include": ["per_step_gradients", "auto"]}).json()
    assert named["config"]["include"] == ["flow_shares", "per_step_gradients", "gain"]
    # truncated, the equations' per-source terms come too
    cut = client.post("/api/v1/unfold", json={"sequence": "hello world", "truncate": 2, "include": ["auto"]}).json()
    assert cut["config"]["include"] == ["flow_shares", "per_step_gradients", "flows_by_unit", "gain", "truncation"]
    assert len(cut["flows"]["by_unit"]) == cut["config"]["steps"]
    plain = client.post("/api/v1/unfold", json={"sequence": "hello"}).json()
    assert plain["config"]["include"] == [] and "share" not in plain["flows"]
