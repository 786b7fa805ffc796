# %% [markdown]
# # 14. Overfitting: the U-shaped curve
#
# Lessons 7 and 10 saw the held-out loss drift up while the training loss kept falling.
# Here is the picture behind it, made as clean as possible: twelve noisy measurements of
# a smooth curve, and models of growing **capacity** (how wiggly a curve they can
# draw). The training error can only go down as capacity grows; the error on new points
# first goes down, then up. That U is overfitting.
#
# The data: $y = \sin(\pi x)$ plus noise, at 12 evenly spaced $x$ in $[-1, 1]$. The
# held-out points: 200 more $x$ with the noiseless $y$, so their error measures how far
# the model is from the truth.

# %%
import math
import random

import nn
from nn.lesson import expect

noise, n_train = 0.25, 12  # try noise = 0.05: the right side of the U flattens
SETTINGS = {"noise": 0.25, "n_train": 12}


def truth(x):
    return math.sin(math.pi * x)


rng = random.Random(0)
x_train = [-1 + 2 * i / (n_train - 1) for i in range(n_train)]
y_train = [truth(x) + rng.gauss(0, noise) for x in x_train]
x_test = [-1 + 2 * i / 199 for i in range(200)]
y_test = [truth(x) for x in x_test]

# %% [markdown]
# ## Capacity: a polynomial of degree d
#
# The model is one linear neuron whose inputs are $T_1(x), \dots, T_d(x)$, the Chebyshev
# polynomials ($T_1 = x$, $T_2 = 2x^2 - 1$, $T_{k+1} = 2x\,T_k - T_{k-1}$): a polynomial of
# degree $d$, written in a basis in which gradient descent converges well on
# $[-1, 1]$. More inputs, more capacity; with $d = 11$ there are 12 parameters for 12
# points, enough to pass through every one. Each model is trained with Adam (lesson 13),
# compiled, 1,500 epochs.

# %%
def features(x, degree):
    t = [1.0, x]
    while len(t) < degree + 1:
        t.append(2 * x * t[-1] - t[-2])
    return t[1 : degree + 1]


def error(model, xs, ys, degree):
    """Mean squared error of the model on the points (xs, ys)."""
    return sum((model(features(x, degree)).data - y) ** 2 for x, y in zip(xs, ys)) / len(ys)


def train(degree, epochs=1500, callback=None):
    model = nn.Neuron(degree, activation="linear", seed=0)
    X = [features(x, degree) for x in x_train]
    nn.fit(model, X, y_train, loss="mse", epochs=epochs, optimizer=nn.Adam(model, lr=0.05),
           compile=True, progress=False, callback=callback)
    return model


degrees = list(range(1, n_train))
models = {d: train(d) for d in degrees}
train_error = {d: error(models[d], x_train, y_train, d) for d in degrees}
test_error = {d: error(models[d], x_test, y_test, d) for d in degrees}
for d in degrees:
    print(f"degree {d:2}: training error {train_error[d]:.5f}   held-out error {test_error[d]:.4f}")
best = min(degrees, key=test_error.get)
print(f"lowest held-out error at degree {best}")

# %% [markdown]
# ## Against epochs, too
#
# Capacity is not only the number of parameters: a big model trained briefly has not
# used its capacity yet. Train the degree-11 model and measure both errors as it goes:
# the held-out error bottoms out early, then climbs while the training error keeps
# falling towards 0. Stopping at the bottom is **early stopping**.

# %%
big = n_train - 1
held_out = x_test[::4], y_test[::4]
per_epoch = []


def watch(epoch, history):
    if epoch <= 100 or epoch % 25 == 0:
        per_epoch.append((epoch, history.loss[-1], error(watched, *held_out, big)))


watched = nn.Neuron(big, activation="linear", seed=0)
nn.fit(watched, [features(x, big) for x in x_train], y_train, loss="mse", epochs=1500,
       optimizer=nn.Adam(watched, lr=0.05), compile=True, progress=False, callback=watch)
stop = min(per_epoch, key=lambda row: row[2])
print(f"degree {big}: held-out error lowest at epoch {stop[0]} ({stop[2]:.4f}), "
      f"{per_epoch[-1][2]:.4f} at epoch {per_epoch[-1][0]}")

# %%
chart = nn.Chart(cols=3, width=4.2, height=3.4)
u = chart.panel(title="error against capacity", xlabel="polynomial degree",
                ylabel="mean squared error", ylog=True, legend="lower left")
u.line(degrees, [train_error[d] for d in degrees], "training", "tab:blue", dots=True)
u.line(degrees, [test_error[d] for d in degrees], "held-out", "tab:red", dots=True)
u.vline(best, f"best: degree {best}")
e = chart.panel(title=f"degree {big}, against epochs", xlabel="epoch",
                ylabel="mean squared error", xlog=True, ylog=True, legend="lower left")
e.line([r[0] for r in per_epoch], [r[1] for r in per_epoch], "training", "tab:blue")
e.line([r[0] for r in per_epoch], [r[2] for r in per_epoch], "held-out", "tab:red")
e.vline(stop[0], "early stopping")
fits = chart.panel(title="three of the models", xlabel="x", ylabel="y", ylim=(-2, 2),
                   legend="lower right")
fits.line(x_test, y_test, "truth: sin(πx)", "black", dash=True)
for d, colour in [(1, "tab:orange"), (best, "tab:green"), (big, "tab:purple")]:
    fits.line(x_test, [models[d](features(x, d)).data for x in x_test], f"degree {d}", colour)
fits.points(x_train, y_train, "training points", "tab:blue")
chart.show()

# %% [markdown]
# Left, the U: too little capacity **underfits** (degree 1 and 2 cannot bend into a sine,
# both errors are high); the right amount fits the curve; too much **overfits** (degree
# 11 threads every noisy point, training error 0, and swings between them). Middle, the
# same story over time for the biggest model. Right, the three regimes as curves.

# %%
expect("the training error falls as capacity grows",
       train_error[big] < train_error[best] < train_error[1], got=train_error,
       expected="degree 11 < best degree < degree 1", settings=SETTINGS)
expect("the held-out error is a U: high at both ends, low in the middle",
       test_error[best] * 5 < min(test_error[1], test_error[big]) and 2 < best < big - 2,
       got={d: round(v, 4) for d, v in test_error.items()},
       expected="both ends over 5x the lowest, lowest inside", settings=SETTINGS)
expect("over epochs the held-out error bottoms out early and climbs",
       stop[0] < 200 and per_epoch[-1][2] > 2 * stop[2], got=stop,
       expected="lowest before epoch 200, then doubling", settings=SETTINGS)

# %% [markdown]
# **What to remember.** Training error measures how well a model fits the examples it
# saw; held-out error how well it will do on new ones. As capacity (parameters, or
# training time) grows the first only falls, the second falls and then rises. Choose
# the capacity, or the epoch to stop at, by the held-out error, never the training error.
# Next: forward mode, the other way to compute derivatives.
