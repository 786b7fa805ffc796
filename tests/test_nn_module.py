"""nn.Module: names, tags, zero_grad, freezing, repr, state dicts and model files."""

import json
import math
import os
import random
import struct

import pytest

import engine
import nn


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


@pytest.fixture
def mlp() -> nn.MLP:
    return nn.MLP(3, [4, 2, 1], activation="tanh", seed=7)


def test_named_parameters_use_stable_dotted_names(mlp):
    names = [name for name, _ in mlp.named_parameters()]
    assert names[:5] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.w.2",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert "layers.0.neurons.2.w.1" in names
    assert names[-1] == "layers.2.neurons.0.b"
    assert len(names) == len(set(names)) == mlp.num_parameters() == 4 * 4 + 2 * 5 + 1 * 3
    assert [p for _, p in mlp.named_parameters()] == mlp.parameters()
    # The same architecture and seed give the same names and numbers.
    again = nn.MLP(3, [4, 2, 1], activation="tanh", seed=7)
    assert again.state_dict() == mlp.state_dict()


def test_parameters_are_labelled_scoped_and_marked(mlp):
    for name, p in mlp.named_parameters():
        assert p.label == name
        parts = name.split(".")
        owner = parts[:-1] if parts[-1] == "b" else parts[:-2]
        assert p.scope == tuple(".".join(owner[i : i + 2]) for i in range(0, len(owner), 2))
        assert name.startswith(".".join(p.scope) + ".")
        assert engine.role_of(p) == "parameter"
    p = dict(mlp.named_parameters())["layers.0.neurons.2.w.1"]
    assert p.scope == ("layers.0", "neurons.2")


def test_a_standalone_neuron_labels_relative_to_itself():
    n = nn.Neuron(2, seed=0)
    assert [p.label for p in n.parameters()] == ["w.0", "w.1", "b"]
    assert all(p.scope == () for p in n.parameters())


def test_named_modules_walks_the_tree_in_order(mlp):
    paths = [path for path, _ in mlp.named_modules()]
    assert paths[0] == ()
    assert paths[1] == ("layers.0",)
    assert paths[2] == ("layers.0", "neurons.0")
    assert len(paths) == 1 + 3 + (4 + 2 + 1)


def test_zero_grad_resets_every_parameter(mlp):
    out = mlp([0.5, -1.0, 2.0])
    out.backward()
    assert any(p.grad != 0.0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_freeze_a_layer_and_unfreeze_it(mlp):
    mlp.layers[0].freeze()
    assert mlp.layers[0].frozen and not mlp.frozen
    frozen = mlp.layers[0].parameters()
    assert all(nn.is_frozen(p) for p in frozen)
    assert set(mlp.trainable_parameters()).isdisjoint(frozen)
    assert len(mlp.trainable_parameters()) == mlp.num_parameters() - len(frozen)
    assert "16 frozen" in repr(mlp)
    assert "(frozen)" in repr(mlp).splitlines()[1]
    mlp.unfreeze()
    assert not any(nn.is_frozen(p) for p in mlp.parameters())
    assert "frozen" not in repr(mlp)


def test_freeze_single_parameters():
    n = nn.Neuron(2, seed=1)
    nn.freeze([n.b])
    assert nn.is_frozen(n.b) and not nn.is_frozen(n.w[0])
    nn.unfreeze(n.b)
    assert not nn.is_frozen(n.b)
    with pytest.raises(TypeError, match="freeze: item 0 is a float"):
        nn.freeze([1.0])


def test_repr_shows_architecture_and_parameter_count():
    m = nn.MLP(2, [16, 16, 1], seed=0)
    text = repr(m)
    lines = text.splitlines()
    assert lines[0] == (
        "MLP(nin=2, sizes=[16, 16, 1], activation='relu', output_activation='linear')"
        "  # 337 parameters"
    )
    assert "layers.0  Layer(nin=2, nout=16, activation='relu')  # 48" in lines[1]
    assert "layers.2  Layer(nin=16, nout=1, activation='linear')  # 17" in lines[3]
    wide = repr(nn.Layer(3, 10, seed=0))
    assert wide == "Layer(nin=3, nout=10, activation='relu')  # 40 parameters"


def test_state_dict_round_trip_keeps_parameter_identity(mlp):
    state = mlp.state_dict()
    other = nn.MLP(3, [4, 2, 1], activation="tanh", seed=8)
    params_before = other.parameters()
    other.load_state_dict(state)
    assert other.parameters() == params_before  # same Value objects, new numbers
    assert other.state_dict() == state


@pytest.mark.parametrize(
    "change, error, message",
    [
        (lambda s: s.pop("layers.1.neurons.0.b"), ValueError, "missing 1 .layers.1.neurons.0.b"),
        (lambda s: s.update(extra=1.0), ValueError, "unexpected 1 .extra"),
        (lambda s: s.update({"layers.0.neurons.0.b": "1.0"}), TypeError, "must be a number"),
        (lambda s: s.update({"layers.0.neurons.0.b": True}), TypeError, "must be a number"),
        (lambda s: s.update({"layers.2.neurons.0.b": math.inf}), ValueError, "must be finite"),
        (lambda s: s.update({"layers.2.neurons.0.b": math.nan}), ValueError, "must be finite"),
    ],
)
def test_load_state_dict_rejects_bad_state_and_changes_nothing(mlp, change, error, message):
    state = mlp.state_dict()
    before = dict(state)
    state = {k: (v + 1.0) for k, v in state.items()}  # every valid entry differs
    change(state)
    with pytest.raises(error, match=message):
        mlp.load_state_dict(state)
    assert mlp.state_dict() == before


def test_load_state_dict_needs_a_mapping(mlp):
    with pytest.raises(TypeError, match="expected a dict"):
        mlp.load_state_dict([1.0, 2.0])


def test_save_and_load_are_exact_to_the_last_bit(tmp_path, mlp):
    # Numbers that decimal printing would round: thirds, tiny and huge magnitudes.
    awkward = [1 / 3, -2 / 3, 1e-300, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, -0.0]
    for p, x in zip(mlp.parameters(), awkward * 10, strict=False):
        p.data = x
    path = mlp.save(tmp_path / "model.json")
    loaded = nn.load(path)
    assert type(loaded) is nn.MLP
    assert loaded.config() == mlp.config()
    for (n1, p1), (n2, p2) in zip(mlp.named_parameters(), loaded.named_parameters(), strict=True):
        assert n1 == n2
        assert bits(p1.data) == bits(p2.data)
    # The file is readable JSON holding architecture and parameters.
    doc = json.loads(path.read_text())
    assert doc["class"] == "MLP" and doc["config"]["sizes"] == [4, 2, 1]
    assert list(doc["parameters"]) == [n for n, _ in mlp.named_parameters()]
    assert not (tmp_path / "model.json.tmp").exists()


def test_save_load_predict_gives_identical_outputs(tmp_path):
    X, _ = nn.datasets.make_moons(20, 0.1, seed=3)
    model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=3)
    model.save(tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert [bits(v) for v in loaded.predict(X)] == [bits(v) for v in model.predict(X)]
    # load_weights into an existing model of the same architecture.
    fresh = nn.MLP(2, [8, 8, 1], activation="tanh", seed=99)
    assert fresh.load_weights(tmp_path / "m.json") is fresh
    assert [bits(v) for v in fresh.predict(X)] == [bits(v) for v in model.predict(X)]


def test_load_leaves_the_global_random_stream_as_it_was(tmp_path):
    # Building the loaded model draws weights from the global stream (it has no seed);
    # load puts the stream back, so a seeded run draws the same after loading a model.
    path = nn.MLP(2, [4, 1], seed=0).save(tmp_path / "m.json")
    random.seed(3)
    expected = random.random()
    random.seed(3)
    nn.load(path)
    assert random.random() == expected
    # ... also when the file's architecture is refused.
    doc = json.loads(path.read_text())
    doc["config"]["sizes"] = [0]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    random.seed(3)
    with pytest.raises(nn.ModelFileError, match="invalid architecture"):
        nn.load(bad)
    assert random.random() == expected


def test_neuron_and_layer_save_and_load(tmp_path):
    concert = nn.datasets.concert_neuron()
    loaded = nn.load(concert.save(tmp_path / "c.json"))
    assert type(loaded) is nn.Neuron and loaded.activation == "step"
    assert loaded.state_dict() == {"w.0": 1.0, "w.1": 4.0, "w.2": 3.0, "b": -6.0}
    layer = nn.Layer(2, 3, activation="sigmoid", seed=1)
    assert nn.load(layer.save(tmp_path / "l.json")).state_dict() == layer.state_dict()


def corrupt_files(tmp_path, model):
    good = model.save(tmp_path / "good.json")
    doc = json.loads(good.read_text())

    def write(name, text):
        p = tmp_path / name
        p.write_text(text)
        return p

    def variant(**changes):
        d = json.loads(json.dumps(doc))
        for k, v in changes.items():
            if v is None:
                d.pop(k)
            else:
                d[k] = v
        return json.dumps(d)

    params = dict(doc["parameters"])
    params.pop(next(iter(params)))
    bad_value = dict(doc["parameters"])
    bad_value[next(iter(bad_value))] = "oops"
    return {
        "truncated": (write("t.json", good.read_text()[:40]), "not valid JSON"),
        "not json": (write("n.json", "hello"), "not valid JSON"),
        "a list": (write("l.json", "[1, 2]"), "not a gradstep model file"),
        "other format": (write("o.json", variant(format="keras")), "not a gradstep model"),
        "newer version": (write("v.json", variant(version=2)), "format version 2"),
        "no parameters": (write("p.json", variant(parameters=None)), "'parameters'"),
        "missing parameter": (write("m.json", variant(parameters=params)), "missing 1"),
        "bad value": (write("b.json", variant(parameters=bad_value)), "must be a number"),
        "binary": (tmp_path / "x.bin", "cannot read"),
    }


def test_bad_files_are_rejected_and_the_model_is_untouched(tmp_path, mlp):
    cases = corrupt_files(tmp_path, mlp)
    (tmp_path / "x.bin").write_bytes(b"\xff\xfe\x00garbage")
    before = mlp.state_dict()
    for name, (path, message) in cases.items():
        with pytest.raises(nn.ModelFileError, match=message):
            mlp.load_weights(path)
        with pytest.raises(nn.ModelFileError, match=message):
            nn.load(path)
        assert mlp.state_dict() == before, name


def test_missing_file_says_so(tmp_path, mlp):
    with pytest.raises(FileNotFoundError, match="nn.load: no model file at .*nope.json"):
        nn.load(tmp_path / "nope.json")
    before = mlp.state_dict()
    with pytest.raises(FileNotFoundError, match="MLP.load_weights: no model file"):
        mlp.load_weights(tmp_path / "nope.json")
    assert mlp.state_dict() == before


def test_save_into_a_missing_folder_says_so(tmp_path, mlp):
    with pytest.raises(FileNotFoundError, match="MLP.save: the folder .*nowhere.* does not exist"):
        mlp.save(tmp_path / "nowhere" / "m.json")


def test_mismatched_architecture_is_rejected_and_the_model_is_untouched(tmp_path, mlp):
    before = mlp.state_dict()
    other = nn.MLP(3, [4, 3, 1], activation="tanh", seed=1).save(tmp_path / "o.json")
    with pytest.raises(nn.ModelFileError, match=r"holds a MLP\(nin=3, sizes=\[4, 3, 1\]"):
        mlp.load_weights(other)
    relu = nn.MLP(3, [4, 2, 1], activation="relu", seed=1).save(tmp_path / "r.json")
    with pytest.raises(nn.ModelFileError, match="activation='relu'"):
        mlp.load_weights(relu)
    neuron = nn.Neuron(3, seed=1).save(tmp_path / "n.json")
    with pytest.raises(nn.ModelFileError, match="holds a Neuron"):
        mlp.load_weights(neuron)
    assert mlp.state_dict() == before


def test_unknown_class_and_bad_architecture_in_file(tmp_path, mlp):
    doc = json.loads(mlp.save(tmp_path / "m.json").read_text())
    doc["class"] = "Transformer"
    (tmp_path / "u.json").write_text(json.dumps(doc))
    with pytest.raises(nn.ModelFileError, match="'Transformer', which is not a known nn module"):
        nn.load(tmp_path / "u.json")
    doc["class"] = "MLP"
    doc["config"]["sizes"] = [4, 0]
    (tmp_path / "z.json").write_text(json.dumps(doc))
    with pytest.raises(nn.ModelFileError, match="invalid architecture for MLP"):
        nn.load(tmp_path / "z.json")


def test_a_failed_write_removes_its_temporary_file_and_keeps_the_old_model(
    tmp_path, mlp, monkeypatch
):
    path = mlp.save(tmp_path / "m.json")
    old = path.read_bytes()

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    mlp.parameters()[0].data += 1.0
    with pytest.raises(OSError, match="No space left"):
        mlp.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
    assert path.read_bytes() == old


def test_save_replaces_an_existing_file_with_the_usual_permissions(tmp_path, mlp):
    path = tmp_path / "m.json"
    path.write_text("old")
    mlp.save(path)
    assert nn.load(path).state_dict() == mlp.state_dict()
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
