# %% [markdown]
# # 13. Optimisers: momentum, Adam and AdamW
#
# Backprop gives the gradient; what to *do* with it is the optimiser's job. Plain
# gradient descent (SGD) takes a step of `lr` times the gradient. That is all the
# lessons so far used. Here are the three refinements almost every network today is
# trained with, each a few lines on top of the same gradients, raced on one loss
# surface.
#
# The surface: a long narrow valley,
# $f(x, y) = \big((x-3)^2 + 50\,(y-0.5)^2\big)/2$, lowest at $(3, 0.5)$. It is 50 times
# steeper across ($y$) than along ($x$): the shape that makes plain gradient descent slow.

# %%
import inspect

import nn
from engine import Value
from nn.lesson import expect

steps = 100  # try 300: plain SGD gets there too, eventually
start = (-3.0, -1.0)
SETTINGS = {"steps": 100, "start": (-3.0, -1.0)}


def f(x, y):
    return ((x - 3) ** 2 + 50 * (y - 0.5) ** 2) / 2


def race(make_optimizer):
    """Minimise f from ``start``; the (x, y) after every step."""
    x, y = Value(start[0]), Value(start[1])
    optimizer = make_optimizer([x, y])
    path = [(x.data, y.data)]
    for _ in range(steps):
        loss = f(x, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        path.append((x.data, y.data))
    return path


# %% [markdown]
# ## Plain SGD: the step size is set by the steepest direction
#
# Across the valley the curvature is 50, so any `lr` above $2/50 = 0.04$ makes $y$
# bounce ever higher (lesson 1 showed that divergence). With `lr = 0.035` the $y$ side
# is fine, but along the valley each step only covers 3.5% of the remaining way.

# %%
paths = {"SGD, lr 0.035": race(lambda p: nn.SGD(p, lr=0.035))}
x_end, y_end = paths["SGD, lr 0.035"][-1]
print(f"after {steps} steps: x = {x_end:.4f} (target 3), loss {f(x_end, y_end):.4f}")

# %% [markdown]
# ## Momentum: remember the direction
#
# With momentum $\mu$, each parameter keeps a *velocity* $b$: $b = \mu b + g$, and the
# step is $-\text{lr}\cdot b$. Along the valley the gradient keeps pointing the same way,
# so the velocity grows towards $g/(1-\mu)$, ten times the gradient for $\mu = 0.9$.
# Across the valley the first steep gradient throws $y$ past the floor; after that the
# gradient there flips sign from step to step, those terms cancel in $b$, and the
# swings die down while the speed along the valley stays. Here are the lines of
# `nn.SGD` that do it (`nn/optim.py`):

# %%
print(inspect.getsource(nn.SGD._update))
paths["momentum 0.9, lr 0.01"] = race(lambda p: nn.SGD(p, lr=0.01, momentum=0.9))

# %% [markdown]
# ## Adam: a step size per parameter
#
# Adam keeps two running means per parameter: of the gradient, $m$, and of its square,
# $v$. It steps by $m/\sqrt{v}$, about `lr` in size whatever the gradient's scale, so
# the shallow $x$ direction moves as fast as the steep $y$ one. (Both means start at 0;
# dividing by $1-\beta^t$ undoes that start.) `nn.Adam` has PyTorch's defaults:
# $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-8}$:

# %%
print(inspect.getsource(nn.Adam._update))
paths["Adam, lr 0.3"] = race(lambda p: nn.Adam(p, lr=0.3))

# %% [markdown]
# ## The race
#
# Each path on the contour lines of $f$, and the loss after every step (log scale). A
# step counts as *there* once the loss is below 0.01.

# %%
def arrival(path):
    return next((i for i, (x, y) in enumerate(path) if f(x, y) < 0.01), None)


finals = {name: f(*path[-1]) for name, path in paths.items()}
arrivals = {name: arrival(path) for name, path in paths.items()}
for name in paths:
    print(f"{name:21} loss after {steps} steps {finals[name]:.5f}, "
          f"below 0.01 at step {arrivals[name]}")

xs = [-4 + 8 * i / 60 for i in range(61)]
ys = [-1.5 + 2.5 * j / 60 for j in range(61)]
chart = nn.Chart(cols=2, width=5, height=3.6)
plane = chart.panel(title="paths on the valley", xlabel="x", ylabel="y", legend="lower right")
plane.contour(xs, ys, [[f(x, y) for x in xs] for y in ys], [0.5, 2, 8, 16, 32],
              "f = 0.5, 2, 8, 16, 32")
curves = chart.panel(title="loss per step", xlabel="step", ylabel="f(x, y)", ylog=True)
for (name, path), colour in zip(paths.items(), ["tab:gray", "tab:blue", "tab:red"]):
    plane.line([p[0] for p in path], [p[1] for p in path], name, colour, dots=True, width=1)
    curves.line(list(range(len(path))), [f(*p) for p in path], name, colour)
plane.points([3.0], [0.5], "the minimum", "black", star=True, size=120)
chart.show()

# %%
expect("plain SGD is still far off after the steps", arrivals["SGD, lr 0.035"] is None,
       got=arrivals["SGD, lr 0.035"], expected="never below 0.01", settings=SETTINGS)
for name in ["momentum 0.9, lr 0.01", "Adam, lr 0.3"]:
    expect(f"{name} gets below 0.01 within the steps", arrivals[name] is not None,
           got=arrivals[name], expected="a step number", settings=SETTINGS)

# %% [markdown]
# ## AdamW: weight decay, apart from the gradient
#
# Weight decay pulls every weight a little towards 0 at each step, a preference for
# small weights (lesson 7's L2 term). Added to the gradient, as in SGD, Adam would
# rescale it like any gradient. **AdamW** (the optimiser of LLM101n's micrograd
# chapter) decays the weight directly: $w \leftarrow w\,(1 - \text{lr}\cdot\lambda)$,
# then the Adam step. On our valley the decay visibly pulls the end point towards 0:

# %%
decayed = race(lambda p: nn.AdamW(p, lr=0.3, weight_decay=0.1))[-1]
plain_adam = paths["Adam, lr 0.3"][-1]
print(f"Adam ends at x = {plain_adam[0]:.3f}; AdamW (weight_decay 0.1) at x = {decayed[0]:.3f}")
expect("AdamW's decay pulls x below the minimum's 3", decayed[0] < plain_adam[0] - 0.2,
       got=decayed[0], expected=f"< {plain_adam[0] - 0.2:.3f}", settings=SETTINGS)

# %% [markdown]
# ## On a network
#
# The same optimisers drive `nn.fit`: pass `optimizer=`. Lesson 7's moons with a small
# network, 60 epochs each, SGD against Adam:

# %%
X, y = nn.datasets.make_moons(100, noise=0.1, seed=1, signed=True)
results = {}
for name, make in [("SGD lr 0.1", lambda m: nn.SGD(m, lr=0.1)),
                   ("Adam lr 0.05", lambda m: nn.Adam(m, lr=0.05))]:
    model = nn.MLP(2, [8, 8, 1], seed=1)
    history = nn.fit(model, X, y, loss="hinge", epochs=60, optimizer=make(model),
                     compile=True, progress=False)
    results[name] = history
    print(f"{name:13} loss {history.loss[-1]:.4f}, accuracy {history.accuracy[-1]:.0%}")
chart = nn.Chart(width=6, height=3)
panel = chart.panel(title="the moons, MLP(2, [8, 8, 1])", xlabel="epoch",
                    ylabel="hinge loss", ylog=True)
for name, history in results.items():
    panel.line(list(range(1, 61)), history.loss, name)
chart.show()
expect("Adam trains the network further in 60 epochs",
       results["Adam lr 0.05"].loss[-1] < results["SGD lr 0.1"].loss[-1] / 5,
       got=results["Adam lr 0.05"].loss[-1],
       expected=f"< {results['SGD lr 0.1'].loss[-1] / 5:.4f}")

# %% [markdown]
# **What to remember.** An optimiser turns gradients into steps. Momentum averages the
# gradients over time, so consistent directions speed up and oscillations cancel. Adam
# also divides by the gradient's typical size, giving every parameter a step of about
# `lr`. AdamW adds weight decay applied to the weights themselves. All of them use the
# very gradients backprop computed; plain SGD remains `fit`'s default. Next: why a
# model that trains better is not always a better model.
