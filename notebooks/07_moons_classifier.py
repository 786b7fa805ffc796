# %% [markdown]
# # 7. A classifier: two moons
#
# Time for a real task. Below are 100 points in the plane, in two interleaving half-moons.
# We want a network that looks at a point's two coordinates and says which moon it
# belongs to. No straight line can separate the moons, so the network has to learn a
# curved boundary.
#
# This is the demo that made micrograd famous, and we run it the same way: a network
# with two hidden layers of 16 ReLU neurons, the hinge loss, a little L2 regularisation
# and a learning rate that shrinks as training goes on.

# %%
import engine
import nn
from nn.lesson import expect

X, y = nn.datasets.make_moons(100, noise=0.1, seed=1, signed=True)  # labels -1 / +1
print(len(X), "points; first three:", [[round(v, 3) for v in x] for x in X[:3]], y[:3])
assert len(X) == 100 and sorted(set(y)) == [-1.0, 1.0] and y.count(1.0) == 50


def show_points(panel, X, y, size=30):
    """The points of each moon in its colour, one legend entry per moon."""
    for label, color in [(1.0, "tab:red"), (-1.0, "tab:blue")]:
        moon = [x for x, target in zip(X, y) if target == label]
        panel.points([x[0] for x in moon], [x[1] for x in moon], f"label {label:+g}", color, size)


chart = nn.Chart(height=3.5)
show_points(chart.panel(title="two moons", xlabel="x₁", ylabel="x₂", equal=True,
                        legend="upper right"), X, y)
chart.show()

# %% [markdown]
# ## The model and the loss
#
# `nn.MLP(2, [16, 16, 1])` has 2 inputs, two hidden layers of 16 ReLU neurons and one
# linear output: a **score**. A positive score means "red moon", negative "blue moon".
#
# The **hinge loss** for one point with label $y = \pm 1$ and score $s$ is
# $\max(0, 1 - y s)$: zero when the point is on the right side with a margin ($y s \ge 1$),
# growing the further it is on the wrong side. The **L2** term $\alpha \sum w^2$ (with
# $\alpha = 10^{-4}$) gently pulls every weight toward zero, which keeps the boundary
# smooth.

# %%
model = nn.MLP(2, [16, 16, 1], seed=0)
print(model)
assert model.num_parameters() == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1) == 337

# %% [markdown]
# ## Training
#
# 100 epochs; each epoch is one step on the whole data set. The learning rate starts at
# 1.0 and falls linearly to 0.1 (`nn.linear_decay`): big steps while we are far away,
# small ones to settle. The progress bar shows the loss and the training accuracy.
#
# We pass `compile=True`: `fit` then traces the training step once and replays it as
# plain Python, several times faster, with the same numbers (`compile=False`, the
# default, gives exactly this history too, only slower).

# %%
lr, epochs = 1.0, 100  # micrograd's demo; try lr = 0.1 or epochs = 30
SETTINGS = {"lr": 1.0, "epochs": 100}
history = nn.fit(
    model, X, y, loss="hinge", l2=1e-4, epochs=epochs, lr=lr, schedule=nn.linear_decay(epochs),
    compile=True,
)
print(history)

scores = model.predict(X)
accuracy = sum((s > 0) == (label > 0) for s, label in zip(scores, y)) / len(y)
print(f"training accuracy: {accuracy:.0%}")
expect("every training point ends on its side", accuracy == 1.0, got=accuracy,
       expected=1.0, settings=SETTINGS)
expect("the loss falls below 0.05", history.loss[-1] < 0.05 < history.loss[0],
       got=history.loss[-1], expected="< 0.05", settings=SETTINGS)

# %% [markdown]
# The loss (blue) and the accuracy (orange), epoch by epoch:

# %%
history.chart().show()

# %% [markdown]
# ## The decision boundary
#
# To see what the network learned, ask it about every point of a fine grid and colour the
# plane by its answer. The boundary between the colours is where the score is 0.


# %%
def show_boundary(chart, model, X, y, title, steps=30):
    xs = [-1.6 + 4.2 * i / (steps - 1) for i in range(steps)]
    ys = [-1.2 + 2.8 * j / (steps - 1) for j in range(steps)]
    grid = [[gx, gy] for gy in ys for gx in xs]
    scores = model.predict(grid)  # no graph is recorded: predict runs under no_grad
    Z = [[scores[j * steps + i] for i in range(steps)] for j in range(steps)]
    panel = chart.panel(title=title, xlabel="x₁", ylabel="x₂", equal=True, legend="upper right")
    panel.regions(xs, ys, Z, names=("score > 0: +1", "score < 0: -1"),
                  colours=("#fcbba1", "#c6dbef"), boundary="score = 0")
    show_points(panel, X, y, size=25)


chart = nn.Chart(width=6, height=4)
show_boundary(chart, model, X, y, "what the network learned")
chart.show()

# %% [markdown]
# ## Epochs, mini-batches, shuffling and the learning rate
#
# Above, every step used all 100 points. Often we use **mini-batches** instead: an epoch
# (one pass over the data) is cut into batches of, say, 10 points, and we take a step
# after each batch, so 10 steps per epoch. The batches are **shuffled** at the start of
# every epoch, so the steps do not always see the points in the same groups (`seed` makes
# the shuffling repeatable).
#
# The learning rate matters a lot. Let's train the same network for 20 epochs of
# mini-batches with four settings: too small, about right, too large, and a large rate
# that decays over the 200 steps.

# %%
settings = {
    "lr 0.03": dict(lr=0.03),
    "lr 0.3": dict(lr=0.3),
    "lr 3.0": dict(lr=3.0),
    "lr 1.0, decaying": dict(lr=1.0, schedule=nn.linear_decay(200)),
}
runs = {}
for name, options in settings.items():
    m = nn.MLP(2, [16, 16, 1], seed=0)
    runs[name] = nn.fit(m, X, y, loss="hinge", l2=1e-4, epochs=20, batch_size=10, seed=0,
                        progress=False, compile=True, **options)
    print(f"{name:17}: final loss {runs[name].loss[-1]:.3f}, accuracy {runs[name].accuracy[-1]:.0%}")

chart = nn.Chart(width=7, height=3.5)
panel = chart.panel(title="20 epochs, batches of 10", xlabel="epoch",
                    ylabel="hinge loss (log scale)", ylog=True)
for name, h in runs.items():
    panel.line(h.epochs, h.loss, name)
chart.show()

final = {name: h.loss[-1] for name, h in runs.items()}
assert final["lr 0.03"] > final["lr 0.3"]  # too small: still walking downhill
assert final["lr 3.0"] > 5 * final["lr 0.3"]  # too large: bouncing around the valley
assert final["lr 1.0, decaying"] < final["lr 0.03"] and runs["lr 1.0, decaying"].accuracy[-1] == 1.0

# %% [markdown]
# Too small and training crawls; too large and every step overshoots, so the loss jumps
# about and stays high. Starting large and decaying gets the best of both.
#
# ## Overfitting: doing well on what you have seen, badly on what you have not
#
# 100% on the training points does not prove the network will be right about new points.
# To find out, we keep some data aside that training never sees, a **held-out** (test)
# set, and measure there. Let's make it hard: only 30 noisy training points, 200
# held-out ones, and many epochs.

# %%
points, labels = nn.datasets.make_moons(230, noise=0.3, seed=3, signed=True)
X_train, y_train = points[:30], labels[:30]
X_test, y_test = points[30:], labels[30:]


def train_and_watch(l2):
    """Train on the 30 points; every 50 epochs, measure the hinge loss on both sets."""
    m = nn.MLP(2, [16, 16, 1], seed=0)
    seen, unseen = {}, {}

    def watch(epoch, history):
        if epoch % 50 == 0:
            with engine.no_grad():
                seen[epoch] = nn.hinge([m(x) for x in X_train], y_train).data
                unseen[epoch] = nn.hinge([m(x) for x in X_test], y_test).data

    nn.fit(m, X_train, y_train, loss="hinge", lr=0.2, l2=l2, epochs=600, progress=False,
           callback=watch, compile=True)
    return m, seen, unseen


def accuracy_on(m, X, y):
    return sum((s > 0) == (label > 0) for s, label in zip(m.predict(X), y)) / len(y)


overfit, train_over, test_over = train_and_watch(l2=0.0)
best_epoch = min(test_over, key=test_over.get)
print(f"held-out loss is lowest at epoch {best_epoch}: {test_over[best_epoch]:.3f}; "
      f"at epoch 600: {test_over[600]:.3f}")
print(f"training loss at epoch {best_epoch}: {train_over[best_epoch]:.3f}; "
      f"at epoch 600: {train_over[600]:.3f}")
print(f"accuracy: {accuracy_on(overfit, X_train, y_train):.0%} on the training points, "
      f"{accuracy_on(overfit, X_test, y_test):.0%} on the held-out ones")

assert best_epoch <= 300 and test_over[600] > test_over[best_epoch] + 0.05  # it got worse
assert train_over[600] < train_over[best_epoch]  # while the training loss kept falling
assert accuracy_on(overfit, X_train, y_train) > accuracy_on(overfit, X_test, y_test)

# %% [markdown]
# The training loss falls the whole time, but the held-out loss falls only for a while
# and then climbs: after that point the network is learning the noise of its 30 points,
# not the shape of the moons. That is **overfitting**. Two common remedies: stop when the
# held-out loss stops improving (*early stopping*), or penalise large weights more
# strongly. Let's try the second, with $\alpha = 0.01$ instead of 0.

# %%
regular, train_reg, test_reg = train_and_watch(l2=0.01)
print(f"held-out loss at epoch 600: {test_reg[600]:.3f} with L2, {test_over[600]:.3f} without")
print(f"held-out accuracy: {accuracy_on(regular, X_test, y_test):.0%} with L2, "
      f"{accuracy_on(overfit, X_test, y_test):.0%} without")
assert test_reg[600] < test_over[600]

chart = nn.Chart(cols=3, height=4)
losses = chart.panel(title="training vs held-out loss", xlabel="epoch", ylabel="hinge loss")
for (train, test), color, name in [((train_over, test_over), "tab:blue", "no L2"),
                                   ((train_reg, test_reg), "tab:green", "L2 0.01")]:
    losses.line(list(train), list(train.values()), f"training, {name}", color)
    losses.line(list(test), list(test.values()), f"held-out, {name}", color, dash=True, dots=True)
losses.vline(best_epoch, "lowest held-out loss, no L2")
show_boundary(chart, overfit, X_train, y_train, "no L2: it bends around the noise")
show_boundary(chart, regular, X_train, y_train, "L2 0.01: a calmer boundary")
chart.show()

# %% [markdown]
# **What to remember.** Train on one part of the data and judge on another. Watch the
# held-out loss, not just the training loss. The learning rate and its schedule decide
# whether training crawls, bounces or settles; mini-batches give more steps per epoch.
# Next: how do we know all these gradients are right?
