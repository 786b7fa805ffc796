# %% [markdown]
# # 12. Deep nets: vanishing and exploding gradients
#
# Lesson 11 showed that every activation's derivative is a factor in the gradient that
# passes through it. Backprop through a deep network multiplies one such factor, and a
# weight, per layer. Multiply ten numbers below 1 and the product *vanishes*; ten above 1
# and it *explodes*. A scalar engine can show this directly: every weight of every layer
# has its own `.grad`, so we can measure how large the gradient is, layer by layer.
#
# The network: `depth` hidden layers of `width` neurons and one output, on 16 points of
# the two moons, mean squared error. We measure the root-mean-square of the weight
# gradients of each hidden layer (layer 1 is next to the input).

# %%
import math

import nn
from nn.lesson import expect

width, depth = 16, 10  # try depth = 3: the effects below shrink to almost nothing
X, y = nn.datasets.make_moons(16, noise=0.1, seed=1, signed=True)
SETTINGS = {"width": 16, "depth": 10}


def rms(values):
    values = list(values)
    return math.sqrt(sum(v * v for v in values) / len(values))


def gradient_per_layer(model):
    """Backprop the loss once; the RMS weight gradient of each hidden layer, input first."""
    loss = nn.mse([model(x) for x in X], y)
    model.zero_grad()
    loss.backward()
    return [rms(w.grad for n in layer.neurons for w in n.w) for layer in model.layers[:-1]]


def network(activation):
    return nn.MLP(2, [width] * depth + [1], activation=activation, seed=0)


plain = {act: gradient_per_layer(network(act)) for act in ["sigmoid", "tanh", "relu"]}
for act, sizes in plain.items():
    print(f"{act:8}", " ".join(f"{g:8.1e}" for g in sizes),
          f"  first/last = {sizes[0] / sizes[-1]:.3g}")

# %% [markdown]
# Three different failures, with the same weights (uniform in [-1, 1], as micrograd
# draws them):
#
# * **sigmoid: vanishing.** The sigmoid's slope is at most 0.25, so each layer shrinks
#   the gradient; layer 1 gets tens of times less than layer 10 and learns that much
#   slower.
# * **tanh: exploding towards the input.** tanh's slope can reach 1, and the weights are
#   large for 16 inputs (each neuron's sum has a spread of about $\sqrt{16/3} \approx 2.3$),
#   so each layer *grows* the gradient on its way back.
# * **ReLU: exploding everywhere.** ReLU passes a positive sum unchanged, so the forward
#   values grow layer by layer, the output is huge, and so is every gradient.

# %%
ratio = {act: sizes[0] / sizes[-1] for act, sizes in plain.items()}
expect("sigmoid: the gradient vanishes towards the input", ratio["sigmoid"] < 0.05,
       got=ratio["sigmoid"], expected="first/last < 0.05", settings=SETTINGS)
expect("tanh: the gradient explodes towards the input", ratio["tanh"] > 10,
       got=ratio["tanh"], expected="first/last > 10", settings=SETTINGS)
expect("ReLU: every layer's gradient is huge", min(plain["relu"]) > 100,
       got=min(plain["relu"]), expected="> 100 in every layer", settings=SETTINGS)

# %% [markdown]
# ## Initialisation: weights of the right size
#
# The cure for tanh and ReLU is to draw the weights at the size that keeps the spread of
# each layer's sums the same from layer to layer. For $n$ inputs per neuron:
#
# * **Xavier (Glorot) initialisation**, for tanh: uniform in $\pm\sqrt{3/n}$ (variance
#   $1/n$), so a sum of $n$ terms has variance about 1;
# * **He (Kaiming) initialisation**, for ReLU: uniform in $\pm\sqrt{6/n}$ (variance
#   $2/n$), twice as much, because ReLU zeroes half of its inputs.
#
# Our weights are uniform in $\pm 1$, so multiplying each by that bound gives exactly
# these distributions.

# %%
def initialised(activation):
    model = network(activation)
    gain = 6.0 if activation == "relu" else 3.0
    for layer in model.layers:
        bound = math.sqrt(gain / len(layer.neurons[0].w))
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data *= bound
    return model


scaled = {act: gradient_per_layer(initialised(act)) for act in ["sigmoid", "tanh", "relu"]}
for act, sizes in scaled.items():
    print(f"{act:8}", " ".join(f"{g:8.1e}" for g in sizes),
          f"  first/last = {sizes[0] / sizes[-1]:.3g}")

# %%
chart = nn.Chart(cols=2, width=4.6, height=3.4)
layers = list(range(1, depth + 1))
before = chart.panel(title="weights uniform in ±1", xlabel="hidden layer (1 = next to the input)",
                     ylabel="RMS weight gradient", ylog=True, legend="lower right")
after = chart.panel(title="Xavier (tanh, sigmoid) / He (ReLU) initialisation",
                    xlabel="hidden layer (1 = next to the input)", ylabel="RMS weight gradient",
                    ylog=True, legend="lower right")
for act, colour in [("sigmoid", "tab:orange"), ("tanh", "tab:green"), ("relu", "tab:red")]:
    before.line(layers, plain[act], act, colour, dots=True)
    after.line(layers, scaled[act], act, colour, dots=True)
chart.show()

# %% [markdown]
# With the right initialisation, tanh and ReLU pass gradients of about the same size to
# every layer: all of them learn at a similar pace. The sigmoid gets *worse*: its slope
# of at most 0.25 shrinks the gradient whatever the weights, and smaller weights keep it
# near that maximum only to multiply by a smaller weight as well. For deep networks the
# remedy is another activation, which is why hidden layers today use ReLU (or its
# relatives) and the sigmoid survives at the output, where it turns a score into a
# probability.

# %%
fixed = {act: sizes[0] / sizes[-1] for act, sizes in scaled.items()}
expect("Xavier initialisation keeps tanh's gradients within 5x across layers",
       1 / 5 < fixed["tanh"] < 5, got=fixed["tanh"], expected="between 0.2 and 5",
       settings=SETTINGS)
expect("He initialisation keeps ReLU's gradients within 5x across layers",
       1 / 5 < fixed["relu"] < 5, got=fixed["relu"], expected="between 0.2 and 5",
       settings=SETTINGS)
expect("and of a moderate size", max(scaled["relu"]) < 1, got=max(scaled["relu"]),
       expected="< 1", settings=SETTINGS)
expect("the sigmoid still vanishes, worse than before", fixed["sigmoid"] < ratio["sigmoid"],
       got=fixed["sigmoid"], expected=f"< {ratio['sigmoid']:.3g}", settings=SETTINGS)

# %% [markdown]
# **What to remember.** Backprop multiplies a derivative and a weight per layer, so in a
# deep network gradients shrink or grow geometrically with depth. Saturating
# activations (sigmoid) make them vanish; weights too large for the number of inputs
# make them explode. Initialise weights with a spread of $1/n$ (Xavier, for tanh) or
# $2/n$ (He, for ReLU) and every layer gets a gradient of a useful size. Next: what to do
# with a gradient once you have it, beyond plain gradient descent.
