"""Neuron, Layer and MLP, built from engine Values.

A neuron computes ``activation(w·x + b)``: one multiply per input, then ONE wide
``engine.sum`` node adding the products and the bias (not a chain of additions), then
the activation (none for ``linear``). Activations: ``relu``, ``tanh``, ``sigmoid``,
``linear`` and ``step`` (the threshold unit: 1 if ``w·x + b > 0`` else 0; its
gradient is 0 everywhere, so it is for typing in worked examples, not for training).

Scopes. Every call runs inside ``engine.scope`` names given by the parent, the same
names as the parameter paths: an MLP runs layer ``i`` inside ``scope("layers.i")``,
and a layer runs neuron ``j`` inside ``scope("neurons.j")``. So a node computed by
neuron 2 of layer 0 has ``node.scope == ("layers.0", "neurons.2")`` and its weights
are ``layers.0.neurons.2.w.*``. The outermost module adds no scope of its own (wrap
the call in ``engine.scope("model")`` if you want one). A module called on its own
(``mlp.layers[0](x)``) tags relative to itself.

Inputs. Numbers given to a module become leaf Values labelled ``x.0``, ``x.1``, ...
(marked ``"input"``), created once per call and shared by every neuron, so a drawn
graph has one node per input instead of one constant per multiplication. An input is
a list, a tuple or a 1-D NumPy array of ``nin`` finite numbers or Values (or one of
them for ``nin == 1``); a dict, a set or text is refused rather than read in some
arbitrary order (see ``nn.checks``).

Initialisation. Weights are drawn uniformly from [-1, 1] and biases start at 0, as in
micrograd, one ``uniform(-1, 1)`` per weight in parameter order (layer by layer, neuron
by neuron, weight by weight). With ``seed=None`` (the default) they come from Python's
global ``random`` stream, as micrograd's and PyTorch's do: ``random.seed(1337)`` makes a
run reproducible, and an ``MLP`` then has exactly the initial weights of micrograd's
``MLP`` of the same sizes after the same ``random.seed``. ``seed=`` an int draws from a
private ``random.Random(seed)`` (reproducible, and the global stream is left alone);
``seed=`` a ``random.Random``, or any object with micrograd-style ``uniform(a, b)`` (or
``random()``), shares that source. ``init=`` names another scheme by the name learners
know it (``"nin**-0.5"``, ``"xavier"``, ``"he"``: ``nn.init``). ``set_weights`` / ``from_weights``
type in a worked network by hand.

micrograd's keyword. ``Neuron(nin, nonlin=False)`` and ``Layer(nin, nout, nonlin=...)``
work as in micrograd: ``nonlin=True`` is ``activation="relu"``, ``nonlin=False`` is
``activation="linear"``. Give one of ``nonlin`` and ``activation``, not both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import engine
from engine import Value

from . import checks
from .init import init_scale
from .module import Module

ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "step": Value.step,
    "linear": None,
}

_sum = engine.sum
_scope = engine.scope


def activation_function(name: Any, where: str) -> Callable[[Value], Value] | None:
    if isinstance(name, bool) or name not in ACTIVATIONS:
        hint = ""
        if isinstance(name, bool):  # micrograd's Neuron(nin, False), written positionally
            hint = f"; for micrograd's nonlin, write nonlin={name} (by keyword)"
        raise ValueError(
            f"{where}: unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}" + hint
        )
    return ACTIVATIONS[name]


def _activation_name(activation: str | None, nonlin: Any, where: str) -> str:
    """The activation asked for by gradstep's ``activation`` or micrograd's ``nonlin``."""
    if nonlin is None:
        return "relu" if activation is None else activation
    if activation is not None:
        raise TypeError(
            f"{where}: give activation={activation!r} or micrograd's nonlin={nonlin!r}, "
            "not both (nonlin=True is activation='relu', nonlin=False is activation='linear')"
        )
    if not isinstance(nonlin, bool):
        raise TypeError(
            f"{where}: nonlin must be True (ReLU, as in micrograd) or False (linear), "
            f"got {nonlin!r}"
        )
    return "relu" if nonlin else "linear"


def _inputs(x: Any, nin: int, where: str) -> list[Value]:
    """The call's inputs as a list of Values: numbers become labelled input leaves.

    Checked once per call at the outermost module (a Layer or MLP hands the list to
    its neurons' ``_forward`` unchecked): ``checks.row`` refuses dicts, sets, text and the
    like, and ``Value`` refuses anything that is not a finite real number.
    """
    out = []
    for i, v in enumerate(checks.row(x, nin, where)):
        if v.__class__ is not Value:
            try:
                v = engine.mark(Value(v, label=f"x.{i}"), "input")
            except (TypeError, ValueError):
                checks.number(v, f"input {i}", where)  # raises, saying which input and why
                raise
        out.append(v)
    return out


def _checked_rows(
    weights: Sequence[Sequence[float]],
    biases: Sequence[float] | None,
    nin: int,
    nout: int,
    where: str,
) -> list[tuple[list[float], float]]:
    """(weights, bias) per neuron as floats, or an error naming the neuron and the problem."""
    rows = [list(r) for r in weights]
    bs = [0.0] * nout if biases is None else list(biases)
    if len(rows) != nout or len(bs) != nout:
        raise ValueError(
            f"{where}: the layer has {nout} neuron{'s' if nout != 1 else ''}; got {len(rows)} "
            f"rows of weights and {len(bs)} biases"
        )
    checked = []
    for j, (row, b) in enumerate(zip(rows, bs, strict=True)):
        if len(row) != nin:
            raise ValueError(
                f"{where}: neuron {j} needs {nin} weights (one per input), got {len(row)}"
            )
        ws = [checks.number(v, f"neuron {j} weight {i}", where) for i, v in enumerate(row)]
        checked.append((ws, checks.number(b, f"neuron {j} bias", where)))
    return checked


def _single(out: list[Value]) -> Value | list[Value]:
    """A one-output module returns the Value itself, as users expect."""
    return out[0] if len(out) == 1 else out


class Neuron(Module):
    """One neuron: ``activation(w·x + b)`` with ``nin`` weights ``w`` and a bias ``b``."""

    def __init__(
        self,
        nin: int,
        activation: str | None = None,
        seed: Any = None,
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
        fan_out: int = 1,
    ) -> None:
        """``activation`` is ``"relu"`` unless given (or micrograd's ``nonlin`` says).

        ``seed=None`` draws the weights from the global ``random`` stream, as micrograd;
        ``init`` names the scheme (``nn.init``); ``fan_out`` is the width of the neuron's
        layer, which Xavier's scale uses (a Layer passes it).
        """
        nin = checks.count(nin, "nin", "Neuron")
        activation = _activation_name(activation, nonlin, "Neuron")
        self._act = activation_function(activation, "Neuron")
        self.activation = activation
        uniform = checks.random_stream(seed, "Neuron").uniform
        scale = init_scale(init, nin, checks.count(fan_out, "fan_out", "Neuron"), "Neuron")
        self.w = [Value(uniform(-1.0, 1.0) * scale) for _ in range(nin)]
        self.b = Value(0.0)
        self._tag_parameters()

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[float],
        bias: float | None = None,
        *,
        threshold: float | None = None,
        activation: str = "relu",
    ) -> Neuron:
        """A neuron with the given weights and bias (or ``threshold``, meaning bias = -threshold).

        ``Neuron.from_weights([1, 4, 3], threshold=6, activation="step")`` is the concert
        neuron: it fires when the weighted sum exceeds 6.
        """
        n = cls(len(weights), activation=activation, seed=0)
        n.set_weights(weights, bias, threshold=threshold)
        return n

    def set_weights(
        self, weights: Sequence[float], bias: float | None = None, *, threshold: float | None = None
    ) -> None:
        """Set the weights and the bias (or ``threshold`` = -bias) in place, all or nothing."""
        where = "Neuron.set_weights"
        if bias is not None and threshold is not None:
            raise TypeError(f"{where}: give bias or threshold (= -bias), not both")
        ws = list(weights)
        if len(ws) != len(self.w):
            raise ValueError(f"{where}: expected {len(self.w)} weights, got {len(ws)}")
        new_w = [checks.number(v, f"weight {i}", where) for i, v in enumerate(ws)]
        new_b = (
            -checks.number(threshold, "threshold", where)
            if threshold is not None
            else checks.number(0.0 if bias is None else bias, "bias", where)
        )
        for p, v in zip(self.w, new_w, strict=True):
            p.data = v
        self.b.data = new_b

    @property
    def nin(self) -> int:
        return len(self.w)

    @property
    def nout(self) -> int:
        """One output, as for every neuron (``nn.fit`` checks targets against ``nout``)."""
        return 1

    def _own_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, w in enumerate(self.w):
            yield f"w.{i}", w
        yield "b", self.b

    def config(self) -> dict[str, Any]:
        return {"nin": len(self.w), "activation": self.activation}

    def __repr__(self) -> str:
        text = super().__repr__()
        if len(self.w) <= 8:  # small enough to read the numbers, as in the articles
            weights = ", ".join(f"{w.data:.6g}" for w in self.w)
            text += f"\n  w = [{weights}], b = {self.b.data:.6g}"
        return text

    def _forward(self, xs: list[Value]) -> Value:
        # b + w·x, bias first, as micrograd adds it: the same floats, to the last bit
        terms = [self.b]
        terms += [w * x for w, x in zip(self.w, xs, strict=True)]
        out = _sum(terms)
        act = self._act
        return out if act is None else act(out)

    def __call__(self, x: Any) -> Value:
        """``activation(w·x + b)`` for a list of ``nin`` numbers or Values."""
        return self._forward(_inputs(x, len(self.w), "Neuron"))


class Layer(Module):
    """``nout`` neurons, each seeing all ``nin`` inputs; returns a list (or one Value)."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = None,
        seed: Any = None,
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
    ) -> None:
        """``activation`` is ``"relu"`` unless given (or micrograd's ``nonlin`` says).

        ``seed=None`` draws the weights from the global ``random`` stream, as micrograd;
        ``init`` names the initialisation scheme (``nn.init``).
        """
        nin = checks.count(nin, "nin", "Layer")
        nout = checks.count(nout, "nout", "Layer")
        activation = _activation_name(activation, nonlin, "Layer")
        activation_function(activation, "Layer")
        rng = checks.random_stream(seed, "Layer")
        self.activation = activation
        init_scale(init, nin, nout, "Layer")  # an unknown name fails before any draw
        self.neurons = [Neuron(nin, activation, rng, init=init, fan_out=nout) for _ in range(nout)]
        self._names = [f"neurons.{j}" for j in range(nout)]
        self._tag_parameters()

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[Sequence[float]],
        biases: Sequence[float] | None = None,
        *,
        activation: str = "relu",
    ) -> Layer:
        """A layer with one row of weights per neuron and one bias per neuron."""
        rows = [list(r) for r in weights]
        if not rows:
            raise ValueError("Layer.from_weights: expected at least one row of weights")
        layer = cls(len(rows[0]), len(rows), activation=activation, seed=0)
        layer.set_weights(rows, biases)
        return layer

    def set_weights(
        self, weights: Sequence[Sequence[float]], biases: Sequence[float] | None = None
    ) -> None:
        """Set every neuron's weights (one row each) and biases in place, all or nothing."""
        checked = _checked_rows(weights, biases, self.nin, self.nout, "Layer.set_weights")
        for neuron, (row, b) in zip(self.neurons, checked, strict=True):
            neuron.set_weights(row, b)

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def _children(self) -> Iterator[tuple[str, Module]]:
        return zip(self._names, self.neurons, strict=True)

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    def _forward(self, xs: list[Value]) -> list[Value]:
        out = []
        for name, neuron in zip(self._names, self.neurons, strict=True):
            with _scope(name):
                out.append(neuron._forward(xs))
        return out

    def __call__(self, x: Any) -> Value | list[Value]:
        """The layer's outputs for ``nin`` inputs: a list, or one Value when ``nout == 1``."""
        return _single(self._forward(_inputs(x, self.nin, "Layer")))


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` is micrograd's demo network.

    Hidden layers use ``activation``; the last layer uses ``output_activation``
    (``linear`` by default: a raw score, as micrograd's demo and the hinge loss want).
    With ``seed=None`` the weights come from the global ``random`` stream, drawn as
    micrograd draws them: after ``random.seed(1337)``, ``MLP(2, [16, 16, 1])`` starts
    from the weights micrograd's ``MLP(2, [16, 16, 1])`` would.
    """

    def __init__(
        self,
        nin: int,
        sizes: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        seed: Any = None,
        init: str = "uniform",
    ) -> None:
        nin = checks.count(nin, "nin", "MLP")
        if isinstance(sizes, int) or not isinstance(sizes, Sequence) or not sizes:
            raise ValueError(
                f"MLP: sizes must be a non-empty list of layer widths, e.g. [16, 16, 1]; "
                f"got {sizes!r}"
            )
        sizes = [checks.count(s, "every layer size", "MLP") for s in sizes]
        activation_function(activation, "MLP")
        activation_function(output_activation, "MLP output_activation")
        init_scale(init, nin, sizes[0], "MLP")  # an unknown name fails before any draw
        rng = checks.random_stream(seed, "MLP")
        dims = [nin, *sizes]
        last = len(sizes) - 1
        self.activation = activation
        self.output_activation = output_activation
        self.layers = [
            Layer(
                dims[i],
                dims[i + 1],
                output_activation if i == last else activation,
                rng,
                init=init,
            )
            for i in range(len(sizes))
        ]
        self._names = [f"layers.{i}" for i in range(len(sizes))]
        self._tag_parameters()

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[Sequence[Sequence[float]]],
        biases: Sequence[Sequence[float]] | None = None,
        *,
        activation: str = "relu",
        output_activation: str = "linear",
    ) -> MLP:
        """An MLP typed in by hand: ``weights[i][j]`` is the row of layer i's neuron j."""
        layers = [[list(r) for r in layer] for layer in weights]
        if not layers or not all(layers) or not layers[0][0]:
            raise ValueError("MLP.from_weights: expected weights[layer][neuron][input]")
        sizes = [len(layer) for layer in layers]
        mlp = cls(len(layers[0][0]), sizes, activation, output_activation=output_activation, seed=0)
        mlp.set_weights(layers, biases)
        return mlp

    def set_weights(
        self,
        weights: Sequence[Sequence[Sequence[float]]],
        biases: Sequence[Sequence[float]] | None = None,
    ) -> None:
        """Set every layer's weights and biases in place; checked fully before any change."""
        where = "MLP.set_weights"
        layers = [[list(r) for r in layer] for layer in weights]
        bs = [None] * len(self.layers) if biases is None else [list(b) for b in biases]
        if len(layers) != len(self.layers) or len(bs) != len(self.layers):
            raise ValueError(
                f"{where}: this MLP has {len(self.layers)} layers; got weights for "
                f"{len(layers)} and biases for {len(bs)}"
            )
        checked = []
        for i, (layer, rows, b) in enumerate(zip(self.layers, layers, bs, strict=True)):
            checked.append(_checked_rows(rows, b, layer.nin, layer.nout, f"{where}: layer {i}"))
        for layer, rows in zip(self.layers, checked, strict=True):
            for neuron, (row, b) in zip(layer.neurons, rows, strict=True):
                neuron.set_weights(row, b)

    @property
    def nin(self) -> int:
        return self.layers[0].nin

    @property
    def nout(self) -> int:
        return self.layers[-1].nout

    @property
    def sizes(self) -> list[int]:
        return [layer.nout for layer in self.layers]

    def _children(self) -> Iterator[tuple[str, Module]]:
        return zip(self._names, self.layers, strict=True)

    def config(self) -> dict[str, Any]:
        return {
            "nin": self.nin,
            "sizes": self.sizes,
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    def _forward(self, xs: list[Value]) -> list[Value]:
        for name, layer in zip(self._names, self.layers, strict=True):
            with _scope(name):
                xs = layer._forward(xs)
        return xs

    def __call__(self, x: Any) -> Value | list[Value]:
        """The network's output: one Value for a one-output MLP, else a list."""
        return _single(self._forward(_inputs(x, self.nin, "MLP")))
