"""A convolution by hand: ``Conv2d``, ``MaxPool2d``, ``Flatten`` and ``Unflatten``.

An image here is nested lists, channels × rows × columns (an 8×8 digit is one channel:
``[[row0], ..., [row7]]`` inside a list of one). A convolutional layer slides small
grids of weights, its *kernels*, over the image. At each position one output number is

    out[o][y][x] = b[o] + Σ_i Σ_r Σ_c  kernel[o][i][r][c] · image[i][y·s + r - p][x·s + c - p]

over every input channel i and kernel cell (r, c), where s is the stride and p the
padding (positions outside the image count as 0 and are left out of the sum). It is a
neuron whose weights are the kernel and whose inputs are one patch of the image, the
same weights at every position: that sharing is what lets a small kernel find an edge
or a stroke wherever it is. Each output grid is a *feature map*: where in the image its
kernel's pattern appears. Everything is Values, so backward reaches every kernel weight.

``MaxPool2d`` keeps the largest number of each small window (the strongest response
nearby); it is written with relu, ``max(a, b) = b + relu(a - b)``, so a compiled graph
decides the maximum again on every run instead of freezing the one seen when traced.
``Flatten`` lays the maps out as one list for an ordinary ``Layer``; ``Unflatten`` does
the reverse, so a network can start from a flat row of pixels (what ``nn.fit`` and
``nn.datasets.digits`` deal in). ``nn.Sequential`` chains them.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterator, Sequence
from typing import Any

import engine
from engine import Value

from .checks import count, ordered, random_stream, row
from .images import as_image
from .layers import activation_function
from .module import Module

_sum = engine.sum


def _pair(k: Any, what: str, where: str) -> tuple[int, int]:
    """``3`` or ``(3, 2)`` as (rows, cols), each a positive int."""
    if isinstance(k, (tuple, list)) and len(k) == 2:
        return count(k[0], what, where), count(k[1], what, where)
    n = count(k, what, where)
    return n, n


def _shape_text(shape: Sequence[int]) -> str:
    return "×".join(str(d) for d in shape)


def image_shape(image: Any, where: str) -> tuple[int, int, int]:
    """(channels, rows, cols) of a nested image, or an error saying what is wrong."""
    what = "an image: channels × rows × columns (nested lists, e.g. [[row0, row1, ...]])"
    channels = ordered(image, what, where)
    if not channels:
        raise ValueError(f"{where}: the image has no channels; expected {what}")
    if isinstance(channels[0], (Value, numbers.Real)):
        raise ValueError(
            f"{where}: got a flat row of {len(channels)} numbers, expected {what}; "
            "reshape it with nn.images.as_image(row, (channels, rows, cols)) or start the "
            "network with nn.Unflatten"
        )
    shape = None
    for c, grid in enumerate(channels):
        rows = ordered(grid, "rows of numbers", f"{where}: channel {c}")
        if rows and isinstance(rows[0], (Value, numbers.Real)):
            raise ValueError(
                f"{where}: channel {c} is one row of {len(rows)} numbers; an image with one "
                "channel is [[row0, row1, ...]] (channels × rows × columns)"
            )
        widths = {len(row(r, None, f"{where}: channel {c}")) for r in rows}
        if not rows or len(widths) != 1 or 0 in widths:
            raise ValueError(
                f"{where}: channel {c} needs rows of equal, non-zero length, got row lengths "
                f"{sorted(widths)}"
            )
        this = (len(rows), widths.pop())
        if shape is not None and this != shape:
            raise ValueError(
                f"{where}: channel {c} is {_shape_text(this)} but channel 0 is "
                f"{_shape_text(shape)}; every channel has the same size"
            )
        shape = this
    return (len(channels), *shape)


def _as_values(image: Any) -> list[list[list[Value]]]:
    """The image with numbers turned into labelled input leaves (Values kept as they are)."""
    out = []
    for c, grid in enumerate(image):
        maps = []
        for r, line in enumerate(grid):
            maps.append(
                [
                    v
                    if isinstance(v, Value)
                    else engine.mark(Value(v, label=f"x.{c}.{r}.{k}"), "input")
                    for k, v in enumerate(line)
                ]
            )
        out.append(maps)
    return out


class Conv2d(Module):
    """``out_channels`` kernels of ``in_channels × kernel_size`` weights, slid over an image.

    ``Conv2d(1, 4, 3)`` has four 3×3 kernels for a one-channel image; on an 8×8 digit it
    gives four 6×6 feature maps. ``stride`` moves the kernel that many pixels at a time;
    ``padding`` adds that many rings of zeros around the image (``padding=1`` keeps a
    3×3 kernel's maps the size of the image). ``activation`` (default ``"linear"``)
    is applied to every output, as in ``Neuron``. Weights start uniform in [-1, 1]
    divided by √(in_channels · kernel rows · kernel cols), so each output starts about
    as large as one pixel; biases start at 0. ``seed`` as for ``MLP``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int = 1,
        padding: int = 0,
        activation: str = "linear",
        seed: int | random.Random | None = None,
    ) -> None:
        where = "Conv2d"
        self.in_channels = count(in_channels, "in_channels", where)
        self.out_channels = count(out_channels, "out_channels", where)
        self.kernel_size = _pair(kernel_size, "kernel_size", where)
        self.stride = count(stride, "stride", where)
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
            raise ValueError(f"{where}: padding must be an int >= 0, got {padding!r}")
        self.padding = padding
        self._act = activation_function(activation, where)
        self.activation = activation
        rng = random_stream(seed, where)
        uniform = random.uniform if rng is None else rng.uniform
        kh, kw = self.kernel_size
        scale = 1.0 / math.sqrt(self.in_channels * kh * kw)
        self.kernels = [
            [
                [[Value(scale * uniform(-1.0, 1.0)) for _ in range(kw)] for _ in range(kh)]
                for _ in range(self.in_channels)
            ]
            for _ in range(self.out_channels)
        ]
        self.biases = [Value(0.0) for _ in range(self.out_channels)]
        self._tag_parameters()

    def _own_parameters(self) -> Iterator[tuple[str, Value]]:
        for o, kernel in enumerate(self.kernels):
            for i, grid in enumerate(kernel):
                for r, line in enumerate(grid):
                    for c, w in enumerate(line):
                        yield f"kernels.{o}.{i}.{r}.{c}", w
            yield f"biases.{o}", self.biases[o]

    def config(self) -> dict[str, Any]:
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": list(self.kernel_size),
            "stride": self.stride,
            "padding": self.padding,
            "activation": self.activation,
        }

    def output_shape(self, shape: Sequence[int]) -> tuple[int, int, int]:
        """(out_channels, rows, cols) of the feature maps for an input of ``shape``."""
        where = "Conv2d"
        channels, rows, cols = shape
        if channels != self.in_channels:
            raise ValueError(
                f"{where}: the image has {channels} channel{'s' if channels != 1 else ''} "
                f"(shape {_shape_text(shape)}), but in_channels={self.in_channels}"
            )
        kh, kw = self.kernel_size
        p = self.padding
        if rows + 2 * p < kh or cols + 2 * p < kw:
            raise ValueError(
                f"{where}: the {kh}×{kw} kernel is larger than the padded input "
                f"{rows + 2 * p}×{cols + 2 * p} (image {rows}×{cols}, padding={p}); use a "
                "smaller kernel_size or more padding"
            )
        s = self.stride
        return self.out_channels, (rows + 2 * p - kh) // s + 1, (cols + 2 * p - kw) // s + 1

    def __call__(self, image: Any) -> list[list[list[Value]]]:
        """The feature maps, out_channels × rows × cols, for a channels × rows × cols image."""
        shape = image_shape(image, "Conv2d")
        _, out_rows, out_cols = self.output_shape(shape)
        _, rows, cols = shape
        x = _as_values(image)
        kh, kw = self.kernel_size
        s, p = self.stride, self.padding
        act = self._act
        maps = []
        for kernel, bias in zip(self.kernels, self.biases, strict=True):
            grid = []
            for y in range(out_rows):
                line = []
                for xx in range(out_cols):
                    terms = [bias]
                    for channel, weights in zip(x, kernel, strict=True):
                        for r in range(kh):
                            i = y * s + r - p
                            if 0 <= i < rows:
                                pixels, ws = channel[i], weights[r]
                                for c in range(kw):
                                    j = xx * s + c - p
                                    if 0 <= j < cols:
                                        terms.append(ws[c] * pixels[j])
                    out = _sum(terms)
                    line.append(out if act is None else act(out))
                grid.append(line)
            maps.append(grid)
        return maps

    def kernel_images(self) -> list[list[list[Value]]]:
        """Every kernel grid, ``[kernel o, channel i]`` in that order, for ``draw_images``."""
        return [grid for kernel in self.kernels for grid in kernel]


def maximum(values: Sequence[Value]) -> Value:
    """The largest Value, built as ``b + relu(a - b)`` so backward sends 1 to the winner."""
    best = values[0]
    for v in values[1:]:
        best = v + (best - v).relu()
    return best


class MaxPool2d(Module):
    """The largest number of each ``kernel_size`` window, per channel (no parameters).

    ``MaxPool2d(2)`` halves a 6×6 map to 3×3. ``stride`` defaults to ``kernel_size``
    (windows side by side, not overlapping).
    """

    def __init__(self, kernel_size: int | tuple[int, int], stride: int | None = None) -> None:
        where = "MaxPool2d"
        self.kernel_size = _pair(kernel_size, "kernel_size", where)
        self.stride = _pair(self.kernel_size if stride is None else stride, "stride", where)

    def config(self) -> dict[str, Any]:
        return {"kernel_size": list(self.kernel_size), "stride": list(self.stride)}

    def output_shape(self, shape: Sequence[int]) -> tuple[int, int, int]:
        """(channels, rows, cols) after pooling an input of ``shape``; channels unchanged."""
        channels, rows, cols = shape
        kh, kw = self.kernel_size
        if rows < kh or cols < kw:
            raise ValueError(
                f"MaxPool2d: the {kh}×{kw} window is larger than the input {rows}×{cols} "
                f"(shape {_shape_text(shape)})"
            )
        sh, sw = self.stride
        return channels, (rows - kh) // sh + 1, (cols - kw) // sw + 1

    def __call__(self, image: Any) -> list[list[list[Value]]]:
        shape = image_shape(image, "MaxPool2d")
        _, out_rows, out_cols = self.output_shape(shape)
        x = _as_values(image)
        kh, kw = self.kernel_size
        sh, sw = self.stride
        return [
            [
                [
                    maximum(
                        [channel[y * sh + r][xx * sw + c] for r in range(kh) for c in range(kw)]
                    )
                    for xx in range(out_cols)
                ]
                for y in range(out_rows)
            ]
            for channel in x
        ]


class Flatten(Module):
    """Channels × rows × cols as one list (channel by channel, row by row), for a ``Layer``."""

    def config(self) -> dict[str, Any]:
        return {}

    def __call__(self, image: Any) -> list[Any]:
        image_shape(image, "Flatten")
        return [v for grid in image for line in grid for v in line]


class Unflatten(Module):
    """A flat row of pixels as an image of ``shape`` (channels, rows, cols), for ``Conv2d``.

    ``Unflatten((1, 8, 8))`` takes the 64 numbers of an ``nn.datasets.digits`` row; its
    ``nin`` (64) lets ``nn.fit`` check every row before training.
    """

    def __init__(self, shape: Sequence[int]) -> None:
        where = "Unflatten"
        dims = ordered(shape, "a shape (channels, rows, cols)", where)
        if len(dims) != 3:
            raise ValueError(f"{where}: shape must be (channels, rows, cols), got {shape!r}")
        self.shape = tuple(count(d, "every size", where) for d in dims)

    @property
    def nin(self) -> int:
        return math.prod(self.shape)

    def config(self) -> dict[str, Any]:
        return {"shape": list(self.shape)}

    def __call__(self, x: Any) -> list[list[list[Any]]]:
        pixels = row(x, self.nin, f"Unflatten to {_shape_text(self.shape)}", "pixel")
        return as_image(pixels, self.shape)
