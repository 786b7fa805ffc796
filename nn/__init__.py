"""gradstep's tiny neural-network library, built only from ``engine``'s public API.

``Neuron``, ``Layer`` and ``MLP`` are made of engine Values; ``fit`` trains them with
plain gradient descent (``SGD``) on the losses in ``nn.losses``; ``nn.datasets`` has
two moons, XOR and the reference articles' toy data. See each module's docstring.
"""

from . import datasets, live, losses, optim
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
from .optim import SGD, constant, linear_decay, step_decay
from .train import History, fit, train_step

__all__ = [
    "ACTIVATIONS",
    "History",
    "Layer",
    "MLP",
    "ModelFileError",
    "Module",
    "Neuron",
    "SGD",
    "TrainingPlot",
    "bce",
    "bce_with_logits",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "constant",
    "datasets",
    "fit",
    "freeze",
    "hinge",
    "is_frozen",
    "l2",
    "linear_decay",
    "live",
    "load",
    "losses",
    "mse",
    "optim",
    "plot_neurons",
    "step_decay",
    "train_step",
    "unfreeze",
]
