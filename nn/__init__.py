"""gradstep's tiny neural-network library, built only from ``engine``'s public API.

``Neuron``, ``Layer`` and ``MLP`` are made of engine Values; ``fit`` trains them with
gradient descent (``SGD``; ``Adam``, ``AdamW`` in ``nn.optim``) on the losses in
``nn.losses``; ``nn.datasets`` has two moons, XOR, the reference articles' toy data
and the 8×8 handwritten digits. Several classes: ``nn.multiclass`` (softmax,
cross-entropy); images: ``nn.images``, ``nn.conv`` (Conv2d, MaxPool2d) and
``nn.Sequential``. Pictures: ``nn.Chart`` (in ``nn.chart``), drawn by ``nn.display``
with matplotlib or, in the browser, as Vega-Lite. See each module's docstring.
"""

from . import datasets, display, images, init, lesson, live, losses, optim
from .chart import Chart
from .conv import Conv2d, Flatten, MaxPool2d, Unflatten
from .history import History
from .layers import ACTIVATIONS, MLP, Layer, Neuron
from .live import TrainingPlot, plot_neurons
from .losses import (
    bce,
    bce_with_logits,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge,
    l2,
    mse,
)
from .module import ModelFileError, Module, freeze, is_frozen, load, unfreeze
from .multiclass import argmax, cross_entropy, log_softmax, logsumexp, softmax
from .optim import SGD, Adam, AdamW, Optimizer, constant, linear_decay, step_decay
from .sequential import Sequential
from .steps import train_step
from .train import evaluate, fit

__all__ = [
    "ACTIVATIONS",
    "Adam",
    "AdamW",
    "Chart",
    "Conv2d",
    "Flatten",
    "History",
    "Layer",
    "MLP",
    "MaxPool2d",
    "ModelFileError",
    "Module",
    "Neuron",
    "Optimizer",
    "SGD",
    "Sequential",
    "TrainingPlot",
    "Unflatten",
    "argmax",
    "bce",
    "bce_with_logits",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "constant",
    "cross_entropy",
    "datasets",
    "display",
    "evaluate",
    "fit",
    "freeze",
    "hinge",
    "images",
    "init",
    "lesson",
    "is_frozen",
    "l2",
    "linear_decay",
    "live",
    "load",
    "log_softmax",
    "logsumexp",
    "losses",
    "mse",
    "optim",
    "plot_neurons",
    "softmax",
    "step_decay",
    "train_step",
    "unfreeze",
]
