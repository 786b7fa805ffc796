"""``Sequential``: modules called one after another, each on the output of the one before.

``nn.Sequential(nn.Unflatten((1, 8, 8)), nn.Conv2d(1, 4, 3, activation="relu"),
nn.MaxPool2d(2), nn.Flatten(), nn.Layer(36, 10, activation="linear"))`` is a small
convolutional network for 8×8 digits: a flat row of 64 pixels in, 10 logits out. Its
parameters are named by position, ``1.kernels.0.0.2.1`` (module 1, kernel 0, channel
0, row 2, column 1); each module runs inside ``engine.scope`` of that position. It saves
and loads like any module (``model.save``, ``nn.load``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import engine

from .module import Module, module_class


def _built(spec: Any, i: int) -> Module:
    """A module, or one rebuilt from its saved ``{"class": ..., "config": {...}}``."""
    if isinstance(spec, Module):
        return spec
    if isinstance(spec, Mapping) and isinstance(spec.get("config"), Mapping):
        cls = module_class(spec.get("class"))
        if cls is not None:
            return cls(**spec["config"])
    raise TypeError(
        f"Sequential: module {i} is a {type(spec).__name__}, expected an nn module "
        "(Conv2d, MaxPool2d, Flatten, Layer, ...)"
    )


class Sequential(Module):
    """``Sequential(m0, m1, ...)``: ``m1(m0(x))`` and so on; the last output is the result."""

    def __init__(self, *modules: Any, layers: list[Any] | None = None) -> None:
        specs = list(modules) + list(layers or [])
        if not specs:
            raise ValueError("Sequential: give at least one module")
        self.modules = [_built(m, i) for i, m in enumerate(specs)]
        self._names = [str(i) for i in range(len(self.modules))]
        self._tag_parameters()

    @property
    def nin(self) -> int | None:
        """The first module's number of inputs, when it has one (Unflatten, Layer, MLP)."""
        return getattr(self.modules[0], "nin", None)

    @property
    def nout(self) -> int | None:
        """The last module's number of outputs, when it has one (Layer, MLP)."""
        return getattr(self.modules[-1], "nout", None)

    def _children(self) -> Iterator[tuple[str, Module]]:
        return zip(self._names, self.modules, strict=True)

    def config(self) -> dict[str, Any]:
        return {"layers": [{"class": type(m).__name__, "config": m.config()} for m in self.modules]}

    def _summary(self) -> str:
        return f"Sequential({len(self.modules)} modules)"

    def __getitem__(self, i: int) -> Module:
        return self.modules[i]

    def __len__(self) -> int:
        return len(self.modules)

    def __call__(self, x: Any) -> Any:
        for name, module in zip(self._names, self.modules, strict=True):
            with engine.scope(name):
                x = module(x)
        return x
