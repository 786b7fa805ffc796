"""Conv2d, MaxPool2d, Flatten, Unflatten and Sequential, against direct float computation."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn
from engine import Value, gradcheck


def float_conv(image, kernels, biases, stride, padding):
    """The convolution written out in floats, with the padding as real zeros."""
    channels, rows, cols = len(image), len(image[0]), len(image[0][0])
    p = padding
    padded = [
        [[0.0] * (cols + 2 * p) for _ in range(p)]
        + [[0.0] * p + list(line) + [0.0] * p for line in grid]
        + [[0.0] * (cols + 2 * p) for _ in range(p)]
        for grid in image
    ]
    kh, kw = len(kernels[0][0]), len(kernels[0][0][0])
    out_rows = (rows + 2 * p - kh) // stride + 1
    out_cols = (cols + 2 * p - kw) // stride + 1
    return [
        [
            [
                b
                + sum(
                    k[i][r][c] * padded[i][y * stride + r][x * stride + c]
                    for i in range(channels)
                    for r in range(kh)
                    for c in range(kw)
                )
                for x in range(out_cols)
            ]
            for y in range(out_rows)
        ]
        for k, b in zip(kernels, biases, strict=True)
    ]


def data_of(nested):
    return [[[v.data for v in line] for line in grid] for grid in nested]


@st.composite
def conv_cases(draw):
    channels = draw(st.integers(1, 2))
    out_channels = draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = draw(st.integers(0, 1))
    stride = draw(st.integers(1, 2))
    rows = draw(st.integers(max(1, kh - 2 * padding), 5))
    cols = draw(st.integers(max(1, kw - 2 * padding), 5))
    pixel = st.floats(-2.0, 2.0)
    image = [[[draw(pixel) for _ in range(cols)] for _ in range(rows)] for _ in range(channels)]
    seed = draw(st.integers(0, 1000))
    return image, out_channels, (kh, kw), stride, padding, seed


@given(conv_cases())
@settings(max_examples=60)
def test_forward_equals_the_float_convolution(case):
    image, out_channels, kernel, stride, padding, seed = case
    conv = nn.Conv2d(len(image), out_channels, kernel, stride, padding, seed=seed)
    got = data_of(conv(image))
    kernels = [data_of(k) for k in conv.kernels]
    expected = float_conv(image, kernels, [b.data for b in conv.biases], stride, padding)
    assert len(got) == len(expected) == out_channels
    assert conv.output_shape((len(image), len(image[0]), len(image[0][0]))) == (
        out_channels,
        len(expected[0]),
        len(expected[0][0]),
    )
    for g, e in zip(got, expected, strict=True):
        for g_line, e_line in zip(g, e, strict=True):
            assert g_line == pytest.approx(e_line, rel=1e-12, abs=1e-12)


@given(conv_cases(), st.data())
@settings(max_examples=40)
def test_gradients_agree_with_finite_differences_for_image_and_kernels(case, data):
    image, out_channels, kernel, stride, padding, seed = case
    conv = nn.Conv2d(len(image), out_channels, kernel, stride, padding, seed=seed)
    shape = (len(image), len(image[0]), len(image[0][0]))
    pixels = [v for grid in image for line in grid for v in line]
    weights = [p.data for p in conv.parameters()]
    out_shape = conv.output_shape(shape)
    n_out = out_shape[0] * out_shape[1] * out_shape[2]
    mix = data.draw(st.lists(st.floats(-1.0, 1.0), min_size=n_out, max_size=n_out))

    kh, kw = kernel

    def f(vs):
        img = nn.images.as_image(vs[: len(pixels)], shape)
        w = iter(vs[len(pixels) :])  # in parameters() order: kernel o's weights, then bias o
        twin = nn.Conv2d(shape[0], out_channels, kernel, stride, padding)
        twin.kernels, twin.biases = [], []
        for _ in range(out_channels):
            twin.kernels.append(
                [[[next(w) for _ in range(kw)] for _ in range(kh)] for _ in range(shape[0])]
            )
            twin.biases.append(next(w))
        flat = [v for grid in twin(img) for line in grid for v in line]
        return engine.sum([m * v for m, v in zip(mix, flat, strict=True)])

    assert gradcheck(f, pixels + weights).ok


def test_kernel_gradient_is_the_correlation_of_input_and_upstream_gradient():
    """dL/dk[o][i][r][c] = Σ_y,x g[o][y][x] · image[i][y + r][x + c], in floats."""
    rng = random.Random(5)
    image = [[[rng.uniform(-1, 1) for _ in range(6)] for _ in range(5)] for _ in range(2)]
    conv = nn.Conv2d(2, 3, (2, 3), seed=1)
    maps = conv(image)
    g = [[[rng.uniform(-1, 1) for _ in line] for line in grid] for grid in maps]
    loss = engine.sum(
        [
            gv * v
            for gg, mm in zip(g, maps, strict=True)
            for gl, ml in zip(gg, mm, strict=True)
            for gv, v in zip(gl, ml, strict=True)
        ]
    )
    loss.backward()
    for o in range(3):
        assert conv.biases[o].grad == pytest.approx(sum(sum(line) for line in g[o]))
        for i in range(2):
            for r in range(2):
                for c in range(3):
                    expected = sum(
                        g[o][y][x] * image[i][y + r][x + c]
                        for y in range(len(g[o]))
                        for x in range(len(g[o][0]))
                    )
                    assert conv.kernels[o][i][r][c].grad == pytest.approx(expected, rel=1e-12)


def test_padding_keeps_the_size_and_stride_skips():
    conv = nn.Conv2d(1, 1, 3, padding=1, seed=0)
    assert conv.output_shape((1, 8, 8)) == (1, 8, 8)
    assert nn.Conv2d(1, 2, 3, stride=2, seed=0).output_shape((1, 8, 8)) == (2, 3, 3)


def test_an_edge_kernel_finds_the_edge():
    """A kernel typed in by hand: [-1, 1] responds where ink starts, left to right."""
    conv = nn.Conv2d(1, 1, (1, 2), seed=0)
    conv.kernels[0][0][0][0].data, conv.kernels[0][0][0][1].data = -1.0, 1.0
    image = [[[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0]]]
    assert data_of(conv(image)) == [[[0.0, 1.0, 0.0], [1.0, 0.0, -1.0]]]


def test_max_pool_takes_each_windows_max_and_sends_the_gradient_to_it():
    image = [[[1.0, 5.0, 2.0, 0.0], [3.0, -1.0, 4.0, 7.0], [0.5, 0.25, -2.0, -3.0]]]
    xs = [[[Value(v) for v in line] for line in grid] for grid in image]
    pooled = nn.MaxPool2d(2)(xs)
    assert data_of(pooled) == [[[5.0, 7.0]]]
    engine.sum([v for line in pooled[0] for v in line]).backward()
    grads = [[v.grad for v in line] for line in xs[0]]
    assert grads == [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]
    assert nn.MaxPool2d(2, stride=1).output_shape((1, 3, 4)) == (1, 2, 3)


@given(st.lists(st.floats(-3, 3), min_size=16, max_size=16, unique=True))
@settings(max_examples=40)
def test_max_pool_agrees_with_floats_and_finite_differences(pixels):
    spread = sorted(pixels)
    if min(b - a for a, b in zip(spread, spread[1:], strict=False)) < 1e-3:
        return  # a near tie is a kink of max
    grid = nn.images.as_image(pixels, (1, 4, 4))
    got = data_of(nn.MaxPool2d(2)(grid))
    expected = [
        [max(grid[0][y + r][x + c] for r in range(2) for c in range(2)) for x in (0, 2)]
        for y in (0, 2)
    ]
    assert got[0] == [pytest.approx(row, abs=1e-12) for row in expected]

    def f(vs):
        pooled = nn.MaxPool2d(2)(nn.images.as_image(vs, (1, 4, 4)))
        return engine.sum([v * (k + 1) for k, v in enumerate(nn.Flatten()(pooled))])

    assert gradcheck(f, pixels).ok


def test_flatten_and_unflatten_are_inverse():
    row = list(range(18))
    image = nn.Unflatten((2, 3, 3))(row)
    assert image[1][0] == [9, 10, 11]
    assert nn.Flatten()(image) == row


def tiny_net(seed=0):
    return nn.Sequential(
        nn.Unflatten((1, 8, 8)),
        nn.Conv2d(1, 2, 3, activation="relu", seed=seed),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Layer(18, 10, activation="linear", seed=seed + 1),
    )


def test_a_tiny_conv_net_on_digits_learns_and_saves(tmp_path):
    X, y = nn.datasets.digits()
    net = tiny_net()
    assert net.nin == 64 and net.nout == 10 and len(net(X[0])) == 10
    names = [name for name, _ in net.named_parameters()]
    assert names[0] == "1.kernels.0.0.0.0" and names[-1] == "4.neurons.9.b"
    history = nn.fit(net, X[:40], y[:40], loss="cross_entropy", epochs=8, lr=0.2)
    assert history.loss[-1] < history.loss[0]
    net.save(tmp_path / "net.json")
    same = nn.load(tmp_path / "net.json")
    assert same.state_dict() == net.state_dict()
    assert same.predict(X[:5]) == net.predict(X[:5])


def test_a_compiled_conv_net_decides_the_max_again_on_every_run():
    X, y = nn.datasets.digits()
    net = tiny_net(3)
    leaves = [Value(v) for v in X[0]]
    loss = nn.cross_entropy(net(leaves), y[0])
    step = engine.compile(loss)
    for leaf, v in zip(leaves, X[1], strict=True):  # another digit: other maxima win
        leaf.data = v
    net.zero_grad()
    value = step.run()
    compiled = [p.grad for p in net.parameters()]
    net.zero_grad()
    eager = nn.cross_entropy(net(X[1]), y[0])
    eager.backward()
    assert value == pytest.approx(eager.data, rel=1e-12)
    assert compiled == pytest.approx([p.grad for p in net.parameters()], rel=1e-9, abs=1e-12)


def test_looking_at_kernels_and_feature_maps_changes_nothing(tmp_path):
    pytest.importorskip("matplotlib").use("Agg")
    X, _ = nn.datasets.digits()
    conv = nn.Conv2d(1, 3, 3, seed=0)
    maps = conv(nn.images.as_image(X[0], (1, 8, 8)))
    engine.sum([v for grid in maps for line in grid for v in line]).backward()
    before = [(p.data, p.grad) for p in conv.parameters()]
    nn.images.draw_images(conv.kernel_images(), centred=True, path=tmp_path / "k.png")
    nn.images.draw_images(maps, path=tmp_path / "m.png")
    assert [(p.data, p.grad) for p in conv.parameters()] == before
    assert (tmp_path / "k.png").stat().st_size > 500


def test_a_conv_net_trains_compiled_as_it_trains_eagerly():
    X, y = nn.datasets.digits()
    a, b = tiny_net(7), tiny_net(7)
    kwargs = {"loss": "cross_entropy", "epochs": 1, "lr": 0.3, "batch_size": 8}
    ha = nn.fit(a, X[:24], y[:24], **kwargs)
    hb = nn.fit(b, X[:24], y[:24], compile=True, **kwargs)
    assert ha.loss == pytest.approx(hb.loss, rel=1e-12)
    assert list(a.state_dict().values()) == pytest.approx(list(b.state_dict().values()), rel=1e-9)
