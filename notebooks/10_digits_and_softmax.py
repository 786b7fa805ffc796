# %% [markdown]
# # 10. Handwritten digits: softmax, cross-entropy, and data the model never saw
#
# Until now every network answered one of two classes. Now it reads handwritten digits:
# ten classes, and the input is an image. Three new ideas come with it:
#
# 1. an **image is a grid of numbers**, and the network reads those numbers;
# 2. ten answers need ten scores, which **softmax** turns into probabilities, and the
#    **cross-entropy** loss asks for a high probability on the right digit;
# 3. a model is only useful on images it has **not** trained on: we hold some out,
#    watch the gap between training and held-out results, and close it with L2.
#
# At the end a **convolution** slides a small grid of weights over the image.

# %%
import json
import math
from pathlib import Path

import engine
import nn
from engine import Value

# The saved models, in data/ next to this lesson (Jupyter runs a notebook in its own
# folder; `python -m demos.lessons DIR` copies data/ along with the lessons).
DATA = Path("data")

# %% [markdown]
# ## An image is a grid of numbers
#
# gradstep ships 1,797 scanned digits (the UCI collection), each shrunk to 8×8 squares.
# A square holds how much ink fell on it, from 0 (none) to 16. Here is the first one, as
# numbers:

# %%
X_ink, y = nn.datasets.digits(scale=False)
print(len(X_ink), "images of", len(X_ink[0]), "pixels; the first is a", y[0])
print(nn.images.grid_text(X_ink[0]))
assert len(X_ink) == 1797 and len(X_ink[0]) == 64 and y[0] == 0
assert X_ink[0][:8] == [0, 0, 5, 13, 9, 1, 0, 0]  # the top row above
assert max(max(x) for x in X_ink) == 16 and min(min(x) for x in X_ink) == 0

# %% [markdown]
# You can almost see the 0 in the numbers. Drawn with dark squares for ink:

# %%
nn.images.image_chart(X_ink[:10], titles=[str(t) for t in y[:10]], cols=10, label="ink").show()

# %% [markdown]
# The network gets the 64 numbers as one list, row after row, divided by 16 so they
# lie between 0 and 1. A colour image would have three such grids, one per colour
# channel: channels × rows × columns, the "3-D array" of the articles. Our digits
# have one channel.

# %%
X, y = nn.datasets.digits()
assert X[0] == [v / 16 for v in X_ink[0]]

# %% [markdown]
# ## Ten scores become ten probabilities: softmax
#
# `nn.MLP(64, [32, 10])` ends in a linear layer of 10 neurons: ten raw scores, the
# **logits** $z_0, \dots, z_9$, one per digit. The biggest score is the answer. To
# learn, we want probabilities: positive numbers adding up to 1. **Softmax** makes
# them by exponentiating and dividing by the total:
#
# $$p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}$$
#
# For three scores 2, 1 and 0.1:

# %%
scores = [2.0, 1.0, 0.1]
probs = [p.data for p in nn.softmax(scores)]
print([round(p, 3) for p in probs])
total = math.exp(2.0) + math.exp(1.0) + math.exp(0.1)
assert math.isclose(probs[0], math.exp(2.0) / total, rel_tol=1e-12)
assert math.isclose(sum(probs), 1.0, rel_tol=1e-12)
assert [round(p, 3) for p in probs] == [0.659, 0.242, 0.099]

# %% [markdown]
# Adding the same number to every score changes nothing (it multiplies top and bottom
# by the same $e^c$). That is the trick that makes softmax safe: written naively,
# $e^{1000}$ overflows, but after subtracting the largest score every exponent is
# at most 0. gradstep does this inside one op, `logaddexp(a, b)` $= \log(e^a + e^b)$,
# computed as $\max(a, b) + \log(1 + e^{-|a - b|})$:

# %%
shifted = [p.data for p in nn.softmax([s + 100 for s in scores])]
assert all(math.isclose(p, q, rel_tol=1e-12) for p, q in zip(probs, shifted))
try:
    math.exp(1000.0)
except OverflowError as error:
    print("naive:", error)
big = [p.data for p in nn.softmax([1000.0, -1000.0, 999.0])]
print("softmax([1000, -1000, 999]) =", big)
assert big[1] == 0.0 and math.isclose(big[0], 1 / (1 + math.exp(-1)), rel_tol=1e-12)
print(engine.OPS["logaddexp"].text)

# %% [markdown]
# ## The loss: cross-entropy
#
# If the digit is $t$, the model should put a high probability $p_t$ on it. The
# **cross-entropy** loss is $-\log p_t$: 0 when $p_t = 1$, and larger the less
# probability the right digit gets. With the scores above:

# %%
for t in range(3):
    loss = nn.cross_entropy(scores, t).data
    print(f"right answer {t}: p = {probs[t]:.3f}, loss = -log p = {loss:.3f}")
    assert math.isclose(loss, -math.log(probs[t]), rel_tol=1e-12)

# %% [markdown]
# Its gradient with respect to the scores is as simple as a gradient gets: the
# probabilities, minus 1 at the right answer. Backward pushes the right score up and
# every other score down, each in proportion to the probability it took:

# %%
zs = [Value(s) for s in scores]
nn.cross_entropy(zs, 0).backward()
print("dL/dz =", [round(z.grad, 3) for z in zs], " p - [1, 0, 0] =",
      [round(p - (i == 0), 3) for i, p in enumerate(probs)])  # fmt: skip
assert all(math.isclose(z.grad, p - (i == 0), abs_tol=1e-12) for i, (z, p) in
           enumerate(zip(zs, probs)))  # fmt: skip

# %% [markdown]
# ## Training, and data the model never saw
#
# A model can learn its training images by heart. To know whether it learned to
# *read*, we hold 20% of the digits out (`nn.datasets.split`) and never train on them.
# `fit(..., validation=(X_test, y_test))` measures the held-out loss and accuracy after
# every epoch. A short run on 100 digits (3 epochs), to see it work:

# %%
X_train, X_test, y_train, y_test = nn.datasets.split(X, y, test=0.2, seed=0)
print(len(X_train), "to train on,", len(X_test), "held out")
assert (len(X_train), len(X_test)) == (1438, 359)

quick = nn.MLP(64, [32, 10], seed=0)
history = nn.fit(quick, X_train[:100], y_train[:100], loss="cross_entropy", epochs=3,
                 lr=0.2, batch_size=16, validation=(X_test[:100], y_test[:100]))  # fmt: skip
print(history)
assert history.val_accuracy[-1] == nn.evaluate(quick, X_test[:100], y_test[:100],
                                               loss="cross_entropy")[1]  # fmt: skip
assert history.val_accuracy[-1] > 0.4  # far above the 10% of guessing, after 300 examples

# %% [markdown]
# Trained on all 1,438 training digits for 3 epochs (`python -m demos.digits` does
# this in about ten seconds, compiled), the network reads held-out digits it has never
# seen with over 90% accuracy. That model is saved in `data/10_mlp.json`; here it is:

# %%
model = nn.load(DATA / "10_mlp.json")
n = len(X_test)  # as many training digits as there are held-out ones, to save time
train_loss, train_acc = nn.evaluate(model, X_train[:n], y_train[:n], loss="cross_entropy")
test_loss, test_acc = nn.evaluate(model, X_test, y_test, loss="cross_entropy")
print(f"{n} training digits: accuracy {train_acc:.1%}, loss {train_loss:.3f}")
print(f"{n} held-out digits: accuracy {test_acc:.1%}, loss {test_loss:.3f}")
assert test_acc >= 0.90 and train_acc > test_acc

# %% [markdown]
# What it thinks of one held-out digit, as probabilities:

# %%
i = 3
p = [v.data for v in nn.softmax(model(X_test[i]))]
nn.images.image_chart([X_test[i]], [f"held-out digit {i}: a {y_test[i]}"], label="ink", size=2).show()
chart = nn.Chart(width=6, height=2.6)
chart.panel(title="softmax of the 10 scores", xlabel="digit", ylabel="probability").bars(
    [str(d) for d in range(10)], {"the model's probability": p})
chart.show()
assert nn.argmax(p) == y_test[i] and math.isclose(sum(p), 1.0, rel_tol=1e-12)

# %% [markdown]
# ## Overfitting, and L2
#
# With only 60 training digits the same network learns them by heart. Below, two
# runs of 60 epochs on those 60 digits, measured after every epoch on the training
# digits (solid) and on the 359 held-out digits (dashed). They take minutes, so the
# lesson loads them (`python -m demos.lesson10_states` trains them again).
#
# Without a penalty the training loss falls almost to 0 while the held-out loss
# levels off far above it: a **gap** of about 1 between the digits it has seen and
# those it has not. The model grows its weights to be ever more sure of the 60 digits
# it knows, which no longer helps on new ones: after epoch 30 the training loss still
# halves, the held-out loss hardly moves. (In lesson 7 the held-out loss even climbed
# again; here it only stops improving.) The **L2** penalty $\alpha \sum w^2$ (the articles'
# regularisation, `fit(l2=...)`) makes large weights cost something: the gap stays
# much smaller, and the held-out loss ends lower.

# %%
curves = json.loads((DATA / "10_curves.json").read_text())
top = max(max(curves[name]["train_loss"] + curves[name]["val_loss"]) for name in curves)
chart = nn.Chart(cols=2, width=4.5, height=3.2)
for name in ("overfit", "l2"):
    c = curves[name]
    epochs = range(1, len(c["val_loss"]) + 1)
    panel = chart.panel(title=f"l2 = {c['l2']:g}", xlabel="epoch", ylabel="cross-entropy",
                        ylim=(0, 1.05 * top))  # one scale for both, to compare the gaps
    panel.line(epochs, c["train_loss"], "training digits", "tab:blue")
    panel.line(epochs, c["val_loss"], "held-out digits", "tab:blue", dash=True)
chart.show()

gaps = {}
for name in ("overfit", "l2"):
    c = curves[name]
    gaps[name] = c["val_loss"][-1] - c["train_loss"][-1]
    lowest = min(c["val_loss"])
    print(f"{name:>7}: training loss {c['train_loss'][-1]:.3f}, held-out loss "
          f"{c['val_loss'][-1]:.3f} (lowest {lowest:.3f}), gap {gaps[name]:.3f}; "
          f"held-out accuracy {c['val_accuracy'][-1]:.1%}")  # fmt: skip
over, l2 = curves["overfit"], curves["l2"]
assert over["train_accuracy"][-1] == 1.0 and over["train_loss"][-1] < 0.02  # learned by heart
assert over["val_accuracy"][-1] < 0.8 and gaps["overfit"] > 1.0  # ...but not how to read
half = len(over["val_loss"]) // 2  # after epoch 30: training still halves, held-out flat
assert over["train_loss"][-1] < 0.5 * over["train_loss"][half]
assert abs(over["val_loss"][half] - over["val_loss"][-1]) < 0.05
assert gaps["l2"] < 0.7 * gaps["overfit"]  # L2 closes a third of the gap
assert l2["val_loss"][-1] < over["val_loss"][-1] and l2["val_accuracy"][-1] > over["val_accuracy"][-1]

# %% [markdown]
# Those curves belong to the two saved models: measured again now, each ends where its
# curve does, the accuracy exactly and the loss to 12 digits (the last bits of `exp` and
# `log` differ between platforms, for example in your browser).

# %%
small = (X_train[:60], y_train[:60])
for name in ("overfit", "l2"):
    saved = nn.load(DATA / f"10_{name}.json")
    for (X_part, y_part), part in [(small, "train"), ((X_test, y_test), "val")]:
        loss, accuracy = nn.evaluate(saved, X_part, y_part, loss="cross_entropy")
        assert accuracy == curves[name][f"{part}_accuracy"][-1]
        assert math.isclose(loss, curves[name][f"{part}_loss"][-1], rel_tol=1e-12)
print("both curves end at their model's numbers")

# %% [markdown]
# ## A kernel and its feature map
#
# An MLP treats the 64 pixels as 64 unrelated numbers. A **convolution** knows they
# form a grid: it slides a small grid of weights, a **kernel**, over the image, and at
# each position multiplies the 3×3 patch under it by the kernel and adds up. The
# result is a new image, the **feature map**, bright where the image looks like the
# kernel. Here are two kernels typed in by hand. The first, -1 0 1 in every row, gives
# a large number where ink lies to the right of blank (the left edge of a stroke) and
# a negative one at the right edge; the second does the same from top to bottom.

# %%
conv = nn.Conv2d(1, 2, 3, seed=0)
vertical = [[-1.0, 0.0, 1.0]] * 3
horizontal = [[-1.0, -1.0, -1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
for kernel, weights in zip(conv.kernels, (vertical, horizontal)):
    for row, numbers in zip(kernel[0], weights):
        for w, v in zip(row, numbers):
            w.data = v
image = nn.images.as_image(X[0], (1, 8, 8))  # channels × rows × columns
maps = conv(image)
print("feature map of the vertical-edge kernel:")
print(nn.images.grid_text(maps[0]))
nn.images.image_chart([image[0], vertical, maps[0], horizontal, maps[1]],
                      ["the digit", "kernel 1", "its map", "kernel 2", "its map"],
                      centred=True, label="value (red +, blue −)").show()  # fmt: skip

# one number of the map, by hand: the 3×3 patch at rows 2-4, columns 1-3, times the kernel
patch = [X[0][r * 8 + c] for r in range(2, 5) for c in range(1, 4)]
by_hand = sum(p * w for p, w in zip(patch, [-1.0, 0.0, 1.0] * 3))
assert math.isclose(maps[0][2][1].data, by_hand, rel_tol=1e-12)
assert len(maps) == 2 and len(maps[0]) == 6 and len(maps[0][0]) == 6

# %% [markdown]
# The kernel's nine numbers are weights like any other: backward reaches them, and
# the gradient of one output of the map with respect to the kernel is the patch it
# saw. That is how a convolutional network *learns* its kernels
# (`python -m demos.digits --model conv` trains one and draws what it learned).

# %%
conv.zero_grad()
maps[0][2][1].backward()
grads = [w.grad for row in conv.kernels[0][0] for w in row]
assert grads == patch
print("d(out)/d(kernel) =", [round(g, 3) for g in grads], "= the patch")

# %% [markdown]
# **What to remember.** An image is a grid of numbers. Softmax turns ten scores into
# probabilities, and cross-entropy's gradient with respect to the scores is the
# probabilities minus 1 at the right answer. Judge a model on data it never saw: the
# gap between training and held-out results is overfitting, and L2 narrows it. Next:
# the activations every network so far has used, side by side.
