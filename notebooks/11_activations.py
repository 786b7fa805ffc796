# %% [markdown]
# # 11. Activations: step, sigmoid, tanh and ReLU
#
# Every neuron so far ended in an *activation*: a function applied to its weighted sum
# $z = w \cdot x + b$. Lesson 2 used the step (fire or not), lesson 3 the sigmoid,
# lesson 4 tanh, lessons 5 and 7 ReLU. Here they are side by side: what each one does to
# $z$, what its derivative is (the number backprop multiplies by when it passes through),
# and what goes wrong when that derivative is 0.

# %%
import nn
from engine import Value
from nn.lesson import expect

ACTIVATIONS = ["step", "sigmoid", "tanh", "relu"]
zs = [i / 10 for i in range(-40, 41)]  # z from -4 to 4


def value_and_slope(name, z):
    """The activation at z and its derivative there, from backward()."""
    x = Value(z)
    out = getattr(x, name)()
    out.backward()
    return out.data, x.grad


curves = {name: [value_and_slope(name, z) for z in zs] for name in ACTIVATIONS}
for name in ACTIVATIONS:
    at = dict(zip(zs, curves[name]))
    print(f"{name:8} f(-2) = {at[-2.0][0]:7.4f}   f(0) = {at[0.0][0]:.4f}   "
          f"f(2) = {at[2.0][0]:.4f}   slope at 0.5: {at[0.5][1]:.4f}")

# %% [markdown]
# ## Shape and derivative, side by side
#
# * **step**: 0 or 1. Its derivative is 0 everywhere (and undefined at the jump), so
#   backprop passes nothing through it: a network of step neurons cannot learn by
#   gradient descent. That is why the perceptron of lesson 2 gave way to smooth
#   activations.
# * **sigmoid** $\sigma(z) = 1/(1+e^{-z})$: a smooth step from 0 to 1. Its derivative
#   $\sigma(1-\sigma)$ is at most **0.25** (at $z = 0$) and almost 0 for large $|z|$:
#   it *saturates*.
# * **tanh**: a smooth step from -1 to 1, centred on 0. Its derivative $1 - \tanh^2$ is
#   at most **1**, four times the sigmoid's, and it saturates too.
# * **ReLU** $\max(0, z)$: the identity for positive $z$, 0 otherwise. Its derivative is
#   exactly 1 for $z > 0$ (no shrinking at all) and exactly 0 for $z < 0$.

# %%
chart = nn.Chart(cols=2, width=4.5, height=3.2)
shape = chart.panel(title="the activation f(z)", xlabel="z", ylabel="f(z)", legend="upper left")
slope = chart.panel(title="its derivative f'(z), from backward()", xlabel="z", ylabel="f'(z)")
for name in ACTIVATIONS:
    shape.line(zs, [v for v, _ in curves[name]], name)
    slope.line(zs, [s for _, s in curves[name]], name)
chart.show()

max_slope = {name: max(s for _, s in curves[name]) for name in ACTIVATIONS}
print("largest derivative:", {k: round(v, 4) for k, v in max_slope.items()})
expect("the step's derivative is 0 everywhere", max_slope["step"] == 0.0,
       got=max_slope["step"], expected=0.0)
expect("the sigmoid's derivative peaks at 0.25", abs(max_slope["sigmoid"] - 0.25) < 1e-12,
       got=max_slope["sigmoid"], expected=0.25)
expect("tanh's derivative peaks at 1", abs(max_slope["tanh"] - 1.0) < 1e-12,
       got=max_slope["tanh"], expected=1.0)
relu_slopes = {s for z, (_, s) in zip(zs, curves["relu"]) if z != 0}
expect("ReLU's derivative is 0 or 1", relu_slopes == {0.0, 1.0}, got=relu_slopes,
       expected={0.0, 1.0})

# %% [markdown]
# ## Saturation: where the slope vanishes
#
# At $z = 4$ the sigmoid's derivative is $\sigma(4)(1-\sigma(4)) \approx 0.018$: a
# gradient passing through it shrinks fifty-fold. Lesson 12 stacks many such layers and
# watches what that does. ReLU keeps a slope of 1 for every positive $z$.

# %%
far = 4.0
sig_far = value_and_slope("sigmoid", far)[1]
tanh_far = value_and_slope("tanh", far)[1]
relu_far = value_and_slope("relu", far)[1]
print(f"derivative at z = {far}: sigmoid {sig_far:.4f}, tanh {tanh_far:.5f}, relu {relu_far}")
expect("the sigmoid saturates at z = 4", sig_far < 0.02, got=sig_far, expected="< 0.02",
       settings={"far": 4.0})
expect("ReLU does not saturate", relu_far == 1.0, got=relu_far, expected=1.0)

# %% [markdown]
# ## A dead ReLU
#
# ReLU's flat side has a cost. If a neuron's weighted sum is negative for *every*
# example, it outputs 0 for all of them, its derivative is 0 for all of them, and so
# every gradient into its weights and bias is exactly 0. Gradient descent never moves
# it again: the neuron is **dead**. One way to get there: a large learning rate throws
# the bias far negative in one step.
#
# Below, one ReLU neuron on the two-moons points. We set its bias to `dead_bias`; with
# -5 the sum $w \cdot x + b$ is below 0 on every point (the weights are at most 1 and the
# points lie within about 2 of the origin).

# %%
X, y = nn.datasets.make_moons(100, noise=0.1, seed=1, signed=True)
dead_bias = -5.0  # try -0.5: some points then reach the positive side

neuron = nn.Neuron(2, activation="relu", seed=0)
neuron.b.data = dead_bias
loss = nn.mse([neuron(x) for x in X], y)
neuron.zero_grad()
loss.backward()
alive = sum(1 for x in X if neuron(x).data > 0)
grads = [p.grad for p in neuron.parameters()]
print(f"bias {dead_bias}: positive on {alive} of {len(X)} points; gradients {grads}")
expect("with bias -5 the neuron is below 0 on every point", alive == 0, got=alive,
       expected=0, settings={"dead_bias": -5.0})
expect("a dead neuron gets no gradient at all", grads == [0.0, 0.0, 0.0], got=grads,
       expected=[0.0, 0.0, 0.0], settings={"dead_bias": -5.0})

# %% [markdown]
# Train it anyway: 50 epochs of gradient descent and not one parameter moves.
# A sigmoid neuron in the same spot still has a small slope, so it does move (slowly).

# %%
before = [p.data for p in neuron.parameters()]
nn.fit(neuron, X, y, loss="mse", epochs=50, lr=0.1, progress=False)
moved = max(abs(p.data - b) for p, b in zip(neuron.parameters(), before))
smooth = nn.Neuron(2, activation="sigmoid", seed=0)
smooth.b.data = dead_bias
start = smooth.b.data
nn.fit(smooth, X, y, loss="mse", epochs=50, lr=0.1, progress=False)
print(f"after 50 epochs: the ReLU neuron moved {moved}, the sigmoid's bias "
      f"{start} -> {smooth.b.data:.4f}")
expect("a dead ReLU never moves", moved == 0.0, got=moved, expected=0.0,
       settings={"dead_bias": -5.0})
expect("a saturated sigmoid still moves", smooth.b.data != start, got=smooth.b.data,
       expected=f"!= {start}", settings={"dead_bias": -5.0})

# %% [markdown]
# ## How many die in a real network?
#
# Train lesson 7's network, `MLP(2, [16, 16, 1])`, with a learning rate that is too
# large for it, and count the hidden neurons that output 0 on every training point
# afterwards. With a gentle learning rate (try `big_lr = 0.1`) fewer or none die.

# %%
big_lr = 3.0


def dead_neurons(model, X):
    """Hidden ReLU neurons (every layer but the last) that are 0 on every point."""
    dead = 0
    for i, layer in enumerate(model.layers[:-1]):
        for neuron in layer.neurons:
            outputs = []
            for x in X:
                h = x
                for earlier in model.layers[:i]:
                    h = [v.data for v in earlier(h)]
                outputs.append(neuron(h).data)
            dead += all(o == 0.0 for o in outputs)
    return dead


model = nn.MLP(2, [16, 16, 1], seed=1)
nn.fit(model, X, y, loss="hinge", epochs=20, lr=big_lr, progress=False)
count = dead_neurons(model, X)
print(f"lr {big_lr}: {count} of 32 hidden neurons are dead")
expect("a too-large learning rate kills hidden ReLU neurons", count >= 5, got=count,
       expected=">= 5", settings={"big_lr": 3.0})

# %% [markdown]
# **What to remember.** An activation's derivative is a factor in every gradient that
# passes through it. The step's is 0 (nothing to learn from), the sigmoid's at most 0.25
# and tanh's at most 1, both fading for large $|z|$; ReLU's is exactly 1 or exactly 0. A
# ReLU that is 0 on every example is dead: no gradient reaches it again. Next: what
# these factors do when a network is many layers deep.
