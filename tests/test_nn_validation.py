"""Held-out data: nn.datasets.split, fit(validation=...), nn.evaluate and History's new fields."""

import pytest

import nn


def data(n=40):
    X, y = nn.datasets.make_moons(n, noise=0.2, seed=3)
    return X, y


def test_split_holds_out_a_share_and_keeps_every_pair():
    X, y = data(50)
    X_train, X_test, y_train, y_test = nn.datasets.split(X, y, test=0.2, seed=1)
    assert len(X_test) == len(y_test) == 10 and len(X_train) == len(y_train) == 40
    pairs = {(tuple(x), t) for x, t in zip(X, y, strict=True)}
    got = [(tuple(x), t) for x, t in zip(X_train + X_test, y_train + y_test, strict=True)]
    assert sorted(got) == sorted(pairs)  # nothing lost, nothing duplicated, pairs kept
    assert nn.datasets.split(X, y, test=0.2, seed=1) == (X_train, X_test, y_train, y_test)
    assert nn.datasets.split(X, y, test=0.2, seed=2)[1] != X_test
    assert len(nn.datasets.split(X, y, test=7)[1]) == 7
    assert len(nn.datasets.split(X[:3], y[:3], test=0.01)[1]) == 1  # at least one held out


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"test": 1.5}, ValueError, "fraction between 0 and 1"),
        ({"test": 0}, ValueError, "leaves nothing on one side; use 1 to 9"),
        ({"test": 10}, ValueError, "use 1 to 9"),
        ({"test": "20%"}, TypeError, "fraction like 0.2"),
    ],
)
def test_split_errors(kwargs, error, message):
    X, y = data(10)
    with pytest.raises(error, match=message):
        nn.datasets.split(X, y, **kwargs)


def test_split_needs_as_many_targets_as_examples():
    with pytest.raises(ValueError, match="split: X has 3 examples but y has 2"):
        nn.datasets.split([[0], [1], [2]], [0, 1])


def test_validation_is_measured_after_each_epoch_and_moves_nothing():
    X, y = data(60)
    X_train, X_val, y_train, y_val = nn.datasets.split(X, y, test=0.25, seed=0)
    model = nn.MLP(2, [8, 1], seed=1)
    twin = nn.MLP(2, [8, 1], seed=1)
    seen = []

    def record(epoch, history):
        seen.append(nn.evaluate(model, X_val, y_val, loss="bce_with_logits"))

    history = nn.fit(
        model,
        X_train,
        y_train,
        loss="bce_with_logits",
        epochs=6,
        lr=0.5,
        validation=(X_val, y_val),
        callback=record,
    )
    plain = nn.fit(twin, X_train, y_train, loss="bce_with_logits", epochs=6, lr=0.5)
    assert history.loss == plain.loss and model.state_dict() == twin.state_dict()
    assert len(history.val_loss) == len(history.val_accuracy) == 6
    assert list(zip(history.val_loss, history.val_accuracy, strict=True)) == seen
    assert all(p.grad == q.grad for p, q in zip(model.parameters(), twin.parameters(), strict=True))
    assert "validation accuracy" in repr(history)


def test_evaluate_counts_argmax_hits_and_the_mean_loss():
    model = nn.MLP.from_weights([[[1.0, 0.0], [0.0, 1.0]]], [[0.0, 0.0]])
    X, y = [[2.0, 0.0], [0.0, 2.0], [3.0, 1.0]], [0, 1, 1]
    loss, accuracy = nn.evaluate(model, X, y, loss="cross_entropy")
    assert accuracy == 2 / 3
    expected = sum(nn.cross_entropy(x, t).data for x, t in zip(X, y, strict=True)) / 3
    assert loss == pytest.approx(expected, rel=1e-15)
    assert nn.evaluate(model, X, [[2.0, 0.0], [0.0, 2.0], [3.0, 1.0]], loss="mse") == (0.0, None)


def test_l2_is_not_in_the_validation_loss():
    X, y = data(30)
    model = nn.MLP(2, [4, 1], seed=0)
    history = nn.fit(
        model, X, y, loss="bce_with_logits", epochs=1, lr=0.0001, l2=10.0, validation=(X, y)
    )
    assert history.val_loss[0] == nn.evaluate(model, X, y, loss="bce_with_logits")[0]
    assert history.val_loss[0] < history.loss[0]  # the big L2 term is in the training loss


@pytest.mark.parametrize(
    "validation, error, message",
    [
        ([[0.0, 1.0]], TypeError, "validation must be a pair"),
        (([[0.0, 1.0, 2.0]], [1.0]), ValueError, "fit: validation: X row 0: expected 2 inputs"),
        (([[0.0, 1.0]], [1.0, 0.0]), ValueError, "fit: validation: X has 1 examples but y has 2"),
        (([[0.0, 1.0]], [3.0]), ValueError, "fit: validation: y: binary_cross_entropy"),
    ],
)
def test_bad_validation_data_is_refused_before_any_update(validation, error, message):
    X, y = data(10)
    model = nn.MLP(2, [4, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=message):
        nn.fit(model, X, y, loss="bce_with_logits", epochs=2, validation=validation)
    assert model.state_dict() == before


def test_history_plot_draws_validation_dashed(tmp_path):
    pytest.importorskip("matplotlib").use("Agg")
    h = nn.History(
        loss=[1.0, 0.5], accuracy=[0.5, 0.8], val_loss=[1.1, 0.7], val_accuracy=[0.4, 0.7]
    )
    ax = h.plot(tmp_path / "h.png")
    labels = [line.get_label() for line in ax.get_legend().get_lines()]
    assert labels == ["loss", "validation loss", "accuracy", "validation accuracy"]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [list(line.get_ydata()) for line in dashed] == [[1.1, 0.7]]
    assert (tmp_path / "h.png").stat().st_size > 1000


def test_history_plot_says_when_the_training_loss_carries_the_l2_term(tmp_path):
    """loss includes l2·Σp², val_loss does not: the legend must not suggest a gap that is
    only the penalty."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = nn.datasets.xor()
    for l2, name in [(0.0, "loss"), (0.05, "loss + L2 term")]:
        model = nn.MLP(2, [4, 1], seed=0)
        h = nn.fit(model, X, y, loss="bce_with_logits", epochs=3, l2=l2, validation=(X, y))
        assert h.l2 == l2
        ax = h.plot(tmp_path / "h.png")
        assert ax.get_lines()[0].get_label() == name
        plt.close(ax.figure)
