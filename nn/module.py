"""Module: the parameters, names, freezing and saving shared by Neuron, Layer and MLP.

Names. A module's parameters have stable dotted names built from the attribute path:
an MLP's third neuron of its first layer owns ``layers.0.neurons.2.w.0`` ...
``layers.0.neurons.2.w.{nin-1}`` and ``layers.0.neurons.2.b``. ``named_parameters()``
yields them in that order (layer by layer, neuron by neuron, weights then bias), which
is also the order of ``parameters()`` and of ``state_dict()``.

Tags for drawing. When a module is built, every parameter it owns (directly or
through its children) gets

* ``label`` = its dotted name from the outermost module (``layers.0.neurons.2.w.1``),
  so trace tables and graph nodes are unambiguous;
* ``scope`` = the path of the module that owns it (``("layers.0", "neurons.2")``),
  the same tuple the forward pass gives the nodes that neuron computes (see
  ``nn.layers``), so a renderer draws a neuron's weights inside the neuron's cluster.
  ``".".join(scope) + "."`` is a prefix of the label; strip it for a short label
  (``w.1``, ``b``) inside a cluster;
* the role ``"parameter"`` (``engine.mark``).

Freezing. ``freeze()`` marks parameters as frozen in a weak set kept by ``nn``
(a Value has no room for a flag, and the engine need not know). Optimizers skip
frozen parameters at every step, so freezing a layer between epochs just works.

Saving. ``save(path)`` writes JSON with the class, the constructor arguments
(``config()``) and every parameter. Python writes a float as the shortest decimal
that reads back to the same float, so a saved model loads back exact to the last bit.
Loading checks the whole file before touching the model: a missing, corrupt or
mismatched file raises and leaves the model as it was. ``nn.load`` leaves Python's global
``random`` stream as it was too (building the model draws weights that the file's
numbers then replace), so loading a model does not change what a seeded run draws next.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import random
import weakref
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import engine
from engine import Value

from .checks import ordered

FORMAT = "gradstep.nn"
FORMAT_VERSION = 1

_FROZEN: weakref.WeakSet[Value] = weakref.WeakSet()
_REGISTRY: dict[str, type[Module]] = {}


class ModelFileError(ValueError):
    """A model file that cannot be loaded: corrupt JSON, wrong format, or a mismatch."""


def is_frozen(p: Value) -> bool:
    """Whether ``p`` is frozen (optimizers leave frozen parameters unchanged)."""
    return p in _FROZEN


def freeze(params: Iterable[Value]) -> None:
    """Freeze single parameters, e.g. ``nn.freeze([neuron.b])`` to train the weights only."""
    for p in _values(params, "freeze"):
        _FROZEN.add(p)


def unfreeze(params: Iterable[Value]) -> None:
    """Undo ``freeze`` for these parameters."""
    for p in _values(params, "unfreeze"):
        _FROZEN.discard(p)


def not_frozen(params: list[Value]) -> list[Value]:
    """``params`` without the frozen ones (the list itself when nothing is frozen)."""
    if not _FROZEN:
        return params
    return [p for p in params if p not in _FROZEN]


def module_class(name: Any) -> type[Module] | None:
    """The ``Module`` subclass called ``name`` (as a saved model names it), or None."""
    return _REGISTRY.get(name)


def _values(params: Iterable[Value], where: str) -> list[Value]:
    if isinstance(params, Value):
        params = [params]
    out = list(params)
    for i, p in enumerate(out):
        if not isinstance(p, Value):
            raise TypeError(f"{where}: item {i} is a {type(p).__name__}, expected a Value")
    return out


class Module:
    """Base class of everything in ``nn`` that owns parameters.

    A subclass says what it owns through ``_own_parameters`` (name, Value pairs) and
    ``_children`` (name, Module pairs), and how to rebuild it through ``config``.
    Everything else (names, state, freezing, saving) follows from those three.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    # What a subclass provides.

    def _own_parameters(self) -> Iterator[tuple[str, Value]]:
        return iter(())

    def _children(self) -> Iterator[tuple[str, Module]]:
        return iter(())

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this architecture (saved with the model)."""
        raise NotImplementedError(f"{type(self).__name__} does not define config()")

    # Walking the tree.

    def named_modules(self) -> Iterator[tuple[tuple[str, ...], Module]]:
        """(path, module) for this module (path ``()``) and every module inside it."""
        stack: list[tuple[tuple[str, ...], Module]] = [((), self)]
        while stack:
            path, module = stack.pop()
            yield path, module
            children = list(module._children())
            for name, child in reversed(children):
                stack.append((path + (name,), child))

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """(dotted name, parameter) pairs in a stable order, e.g. ``layers.0.neurons.2.w.1``."""
        for path, module in self.named_modules():
            for name, p in module._own_parameters():
                yield ".".join(path + (name,)), p

    def parameters(self) -> list[Value]:
        """Every parameter, frozen or not, in ``named_parameters`` order."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """How many scalar parameters the module has."""
        return sum(1 for _ in self.named_parameters())

    def _tag_parameters(self) -> None:
        """Label, scope and mark every parameter as seen from this (outermost) module."""
        for path, module in self.named_modules():
            for name, p in module._own_parameters():
                p.label = ".".join(path + (name,))
                p.scope = path
                engine.mark(p, "parameter")

    # Training helpers.

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (leaves accumulate across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def freeze(self) -> Module:
        """Freeze every parameter: optimizers skip them until ``unfreeze()``."""
        freeze(self.parameters())
        return self

    def unfreeze(self) -> Module:
        """Undo ``freeze()`` for every parameter of this module."""
        unfreeze(self.parameters())
        return self

    @property
    def frozen(self) -> bool:
        """True when every parameter of this module is frozen."""
        params = self.parameters()
        return bool(params) and all(p in _FROZEN for p in params)

    def trainable_parameters(self) -> list[Value]:
        """The parameters that are not frozen."""
        return not_frozen(self.parameters())

    def predict(self, X: Any) -> list[Any]:
        """Outputs for many inputs as plain floats, without recording a graph.

        One float per input for a single-output model, a list of floats otherwise.
        """
        where = f"{type(self).__name__}.predict"
        examples = ordered(X, "X as a list of examples (one list of numbers each)", where)
        out: list[Any] = []
        with engine.no_grad():
            for x in examples:
                y = self(x)
                out.append(y.data if isinstance(y, Value) else [v.data for v in y])
        return out

    def __call__(self, x: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    # State.

    def state_dict(self) -> dict[str, float]:
        """{dotted name: value} for every parameter, in ``named_parameters`` order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state``; all names must match exactly.

        The whole mapping is checked before any parameter changes, so an error leaves
        the model as it was. Parameters keep their identity (optimizers stay valid).
        """
        where = f"{type(self).__name__}.load_state_dict"
        values = _checked_state(self, state, where)
        for (_, p), value in zip(self.named_parameters(), values, strict=True):
            p.data = value

    # Files.

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the architecture and every parameter to ``path`` as JSON; returns the path.

        All or nothing: everything is checked (the path, every parameter finite) and the
        text built before any file is touched; the text goes to a temporary file that is
        renamed over ``path``, or removed if anything fails. So a failed save leaves the
        folder as it was, and an existing file at ``path`` unchanged.
        """
        where = f"{type(self).__name__}.save"
        path = Path(path)
        if path.is_dir():
            raise IsADirectoryError(
                f"{where}: {str(path)!r} is a folder; give a file path, e.g. "
                f"{str(path / 'model.json')!r}"
            )
        if not path.parent.is_dir():
            raise FileNotFoundError(
                f"{where}: the folder {str(path.parent)!r} does not exist; create it first"
            )
        state = self.state_dict()
        try:
            _checked_state(self, state, where)
        except (TypeError, ValueError) as error:
            raise type(error)(
                f"{error}. Nothing was written: set it (load_state_dict, set_weights) or "
                "retrain first"
            ) from None
        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "class": type(self).__name__,
            "config": self.config(),
            "parameters": state,
        }
        _write_replacing(path, json.dumps(document, indent=1, allow_nan=False) + "\n", where)
        return path

    def load_weights(self, path: str | os.PathLike[str]) -> Module:
        """Replace this model's parameters with those saved in ``path``.

        The file's class and architecture must match this model's; anything wrong
        raises ``ModelFileError`` (or ``FileNotFoundError``) and changes nothing.
        """
        where = f"{type(self).__name__}.load_weights"
        document = _read_document(path, where)
        if document["class"] != type(self).__name__ or document["config"] != self.config():
            raise ModelFileError(
                f"{where}: {str(path)!r} holds a {_describe_saved(document)}, but this model is "
                f"{type(self).__name__}({_format_config(self.config())}). Build a matching "
                "model, or use nn.load(path) to get the saved one."
            )
        try:
            self.load_state_dict(document["parameters"])
        except (ValueError, TypeError) as error:
            raise ModelFileError(f"{where}: {str(path)!r}: {error}") from None
        return self

    # Display.

    def _summary(self) -> str:
        """One line: the constructor call."""
        return f"{type(self).__name__}({_format_config(self.config())})"

    def __repr__(self) -> str:
        n = self.num_parameters()
        frozen = sum(1 for p in self.parameters() if p in _FROZEN)
        head = f"{self._summary()}  # {n} parameter{'s' if n != 1 else ''}"
        if frozen:
            head += f", {frozen} frozen"
        lines = [head]
        children = list(self._children())
        if children and all(not list(c._children()) for _, c in children) and len(children) > 8:
            return head  # e.g. a wide Layer: the head line says it all
        width = max((len(name) for name, _ in children), default=0)
        for name, child in children:
            m = child.num_parameters()
            frozen_mark = " (frozen)" if child.frozen else ""
            lines.append(f"  {name:<{width}}  {child._summary()}  # {m}{frozen_mark}")
        return "\n".join(lines)


def _write_replacing(path: Path, text: str, where: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, leaving no trace if it fails.

    The temporary file is created exclusively ("x"), so a file of that name that is not
    ours is never overwritten; the rename is atomic, so ``path`` is either the old file
    or the complete new one.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        handle = open(tmp, "x", encoding="utf-8")  # closed by the "with" below
    except FileExistsError:
        raise FileExistsError(
            f"{where}: the temporary file {str(tmp)!r} already exists (left by an interrupted "
            "save?); nothing was written. Remove it and save again"
        ) from None
    try:
        with handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _format_config(config: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in config.items())


def _describe_saved(document: Mapping[str, Any]) -> str:
    return f"{document['class']}({_format_config(document['config'])})"


def _checked_state(module: Module, state: Any, where: str) -> list[float]:
    """The parameter values of ``state`` in order, or an error saying what is wrong."""
    if not isinstance(state, Mapping):
        raise TypeError(f"{where}: expected a dict of name -> number, got {type(state).__name__}")
    names = [name for name, _ in module.named_parameters()]
    missing = [n for n in names if n not in state]
    known = set(names)
    unexpected = [k for k in state if k not in known]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} ({_some(missing)})")
        if unexpected:
            parts.append(f"unexpected {len(unexpected)} ({_some(unexpected)})")
        raise ValueError(
            f"{where}: the names do not match this {module._summary()}: {'; '.join(parts)}. "
            "Is it the state of a different architecture?"
        )
    values = []
    for name in names:
        v = state[name]
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{where}: {name} must be a number, got {type(v).__name__} ({v!r})")
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"{where}: {name} is {f!r}; parameters must be finite")
        values.append(f)
    return values


def _some(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (", ..." if len(names) > limit else "")


def _read_document(path: str | os.PathLike[str], where: str) -> dict[str, Any]:
    """Read and check a model file's envelope: format, version, class, config, parameters."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{where}: no model file at {str(p)!r}; save one first with model.save(path)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ModelFileError(f"{where}: cannot read {str(p)!r}: {error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelFileError(
            f"{where}: {str(p)!r} is not valid JSON ({error}); was it written by model.save?"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(
            f'{where}: {str(p)!r} is not a gradstep model file (no "format": {FORMAT!r}); '
            "was it written by model.save?"
        )
    if document.get("version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{where}: {str(p)!r} has format version {document.get('version')!r}; this "
            f"gradstep reads version {FORMAT_VERSION}"
        )
    for key, kind in (("class", str), ("config", dict), ("parameters", dict)):
        if not isinstance(document.get(key), kind):
            raise ModelFileError(
                f"{where}: {str(p)!r} has no valid {key!r} entry; the file is damaged"
            )
    return document


def load(path: str | os.PathLike[str]) -> Module:
    """Rebuild the model saved with ``model.save(path)``: same class, architecture, numbers."""
    where = "nn.load"
    document = _read_document(path, where)
    cls = module_class(document["class"])
    if cls is None:
        raise ModelFileError(
            f"{where}: {str(path)!r} holds a {document['class']!r}, which is not a known nn "
            f"module ({', '.join(sorted(_REGISTRY))}); import the module that defines it first"
        )
    # Building the model draws initial weights (from the global random stream, for a
    # module built without a seed); the file's numbers replace them, so loading leaves
    # that stream as it was.
    random_state = random.getstate()
    try:
        model = cls(**document["config"])
    except (TypeError, ValueError) as error:
        raise ModelFileError(
            f"{where}: {str(path)!r} has an invalid architecture for {cls.__name__}: {error}"
        ) from None
    finally:
        random.setstate(random_state)
    try:
        model.load_state_dict(document["parameters"])
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{where}: {str(path)!r}: {error}") from None
    return model
