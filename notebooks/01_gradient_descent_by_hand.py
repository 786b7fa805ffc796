# %% [markdown]
# # 1. Gradient descent by hand: how much wine for the party?
#
# You are throwing a dinner party and want to know how many bottles of wine to buy.
# Three friends who threw great parties tell you what happened at theirs:
#
# | guests | bottles drunk |
# |-------:|--------------:|
# | 3      | 2             |
# | 10     | 7             |
# | 75     | 50            |
#
# We guess that every guest drinks about the same, so
#
# $$\text{bottles} = A \times \text{guests}$$
#
# and we want the best number $A$. In this lesson we find it three ways: by hand, with
# `backward()`, and by letting gradient descent take many small steps for us.

# %%
import engine
import nn
from engine import Value
from nn.lesson import expect

guests, bottles = nn.datasets.dinner_parties()
assert guests == [3.0, 10.0, 75.0] and bottles == [2.0, 7.0, 50.0]
list(zip(guests, bottles))

# %% [markdown]
# ## A first guess: one bottle per guest
#
# Start with $A = 1$. The model predicts as many bottles as guests, which is too many at
# every party. The *error* of a prediction is predicted minus actual.


# %%
def predict(A, guests):
    return [A * g for g in guests]


def errors(A):
    return [p - b for p, b in zip(predict(A, guests), bottles)]


print("A = 1:  ", "predictions", predict(1.0, guests), " errors", errors(1.0))
assert predict(1.0, guests) == [3.0, 10.0, 75.0]
assert errors(1.0) == [1.0, 3.0, 25.0]

# %% [markdown]
# We overestimate, so we lower $A$ a little, to 0.8, and look again: the errors shrink to
# 0.4, 1 and 10 bottles. Better, but still too much wine.

# %%
print("A = 0.8:", "predictions", [round(p, 6) for p in predict(0.8, guests)],
      " errors", [round(e, 6) for e in errors(0.8)])
assert [round(p, 9) for p in predict(0.8, guests)] == [2.4, 8.0, 60.0]
assert [round(e, 9) for e in errors(0.8)] == [0.4, 1.0, 10.0]

# %% [markdown]
# ## One number for "how wrong": the mean squared error
#
# Guessing which way to move $A$ works for one number, but not for thousands. We need a
# single score to make small, and a rule that says which way is downhill. The **mean
# squared error** (MSE) squares each error (so big misses count a lot, and signs cannot
# cancel) and averages them:
#
# $$L(A) = \frac{1}{3}\sum_i (A g_i - b_i)^2$$
#
# Its derivative tells us how the loss changes when $A$ grows a little:
#
# $$\frac{dL}{dA} = \frac{2}{3}\sum_i g_i\,(A g_i - b_i)$$
#
# At $A = 1$ the errors are 1, 3, 25, so $L = (1 + 9 + 625)/3 = 211.67$ and
# $dL/dA = \tfrac{2}{3}(3\cdot 1 + 10\cdot 3 + 75\cdot 25) = \tfrac{2}{3}\cdot 1908 = 1272$.
# A positive slope: raising $A$ makes things worse, so we should lower it.

# %%
def loss_by_hand(A):
    return sum(e * e for e in errors(A)) / len(guests)


def slope_by_hand(A):
    return 2 / len(guests) * sum(g * e for g, e in zip(guests, errors(A)))


print(f"L(1) = {loss_by_hand(1.0):.4f}   dL/dA at 1 = {slope_by_hand(1.0):.4f}")
assert abs(loss_by_hand(1.0) - 635 / 3) < 1e-12
assert slope_by_hand(1.0) == 1272.0

# %% [markdown]
# ## The same derivative from `backward()`
#
# Now let the library do the calculus. We make $A$ a `Value`, compute the loss with
# ordinary arithmetic (each operation records a node of a graph), and call `backward()`.
# Afterwards `A.grad` holds $dL/dA$.

# %%
A = Value(1.0, label="A")
squares = [(A * g - b) ** 2 for g, b in zip(guests, bottles)]
loss = engine.sum(squares) / len(guests)
loss.label = "L"
loss.backward()

print(f"loss = {loss.data:.4f}, A.grad = {A.grad:.4f}")
assert abs(loss.data - 635 / 3) < 1e-12
assert abs(A.grad - 1272.0) < 1e-9  # equal to the hand value, up to float rounding

# the library's own MSE gives the same number
assert abs(nn.mse(predict(A, guests), bottles).data - loss.data) < 1e-12

# %% [markdown]
# Here is the graph `backward()` walked. Each box is a Value with its `data` and its
# `grad`; each round node is an operation. Follow the grads from the loss on the right
# back to $A$ on the left: $A$ is used three times, and its grad is the sum of what
# comes back along the three paths.

# %%
engine.draw_dot(loss)

# %% [markdown]
# ## Gradient descent: many small steps downhill
#
# The rule: move $A$ a small step against the slope,
#
# $$A \leftarrow A - \eta\,\frac{dL}{dA}$$
#
# where $\eta$ (eta) is the **learning rate**. The slope here is in the thousands, so
# $\eta$ must be small: we use $\eta = 0.0001$. Each round is forward, backward, update.

# %%
lr = 1e-4  # try 5e-5 (slower) or 6e-4 (see "Too big a step" below)
A = Value(1.0, label="A")
path = []  # (A, loss) after every step, for the plot
for step in range(40):
    loss = engine.sum([(A * g - b) ** 2 for g, b in zip(guests, bottles)]) / len(guests)
    A.grad = 0.0  # A is a leaf: grads add up over backward passes, so reset it first
    loss.backward()
    path.append((A.data, loss.data))
    if step < 5 or step % 10 == 9:
        print(f"step {step:2d}: A = {A.data:.6f}  loss = {loss.data:10.4f}  dL/dA = {A.grad:9.3f}")
    A.data -= lr * A.grad

print(f"\nafter 40 steps A = {A.data:.6f}")

# %% [markdown]
# $A$ falls quickly at first and then settles: as the slope flattens near the bottom,
# the steps get smaller by themselves. Where exactly is the bottom? Setting $dL/dA = 0$
# gives $A = \sum g_i b_i / \sum g_i^2 = 3826 / 5734 \approx 0.667$, two thirds of a
# bottle per guest.

# %%
best = sum(g * b for g, b in zip(guests, bottles)) / sum(g * g for g in guests)
print(f"best A = 3826 / 5734 = {best:.6f}")
assert sum(g * b for g, b in zip(guests, bottles)) == 3826
assert sum(g * g for g in guests) == 5734
assert abs(best - 0.667) < 0.001
expect("gradient descent found the best A", abs(A.data - best) < 1e-6, got=A.data,
       expected=best, settings={"lr": 1e-4})

# %% [markdown]
# So for a party of 12 you would buy $0.667 \times 12 \approx 8$ bottles.
#
# ## Pictures: the loss as a valley, the model as a line
#
# On the left, the loss for every $A$: a valley, with our steps (orange) running down its
# side to the bottom. On the right, the data and the line $\text{bottles} = 0.667 \times
# \text{guests}$.

# %%
grid = [0.4 + 0.005 * i for i in range(121)]
chart = nn.Chart(cols=2, height=3.8)
left = chart.panel(title="the loss valley", xlabel="A (bottles per guest)",
                   ylabel="mean squared error")
left.line(grid, [loss_by_hand(a) for a in grid], "the loss for each A", "tab:blue")
left.points([a for a, _ in path], [v for _, v in path], f"{len(path)} steps from A = 1",
            "tab:orange", size=25)
left.vline(best, f"best A = {best:.3f}")
right = chart.panel(title="the fitted line", xlabel="guests", ylabel="bottles")
right.points(guests, bottles, "the three parties", "tab:red")
xs = [0, 80]
right.line(xs, [best * x for x in xs], f"bottles = {best:.3f} × guests", "tab:green")
right.line(xs, xs, "first guess, A = 1", "gray", dash=True)
chart.show()

# %% [markdown]
# ## Too big a step
#
# What if we are impatient and take $\eta = 0.0006$? Each step now overshoots the bottom
# by more than it started from, and $A$ swings further out every time. Choosing the
# learning rate is part of the craft: small enough to settle, large enough to get there.

# %%
A = Value(1.0, label="A")
swings = []
for _ in range(8):
    loss = engine.sum([(A * g - b) ** 2 for g, b in zip(guests, bottles)]) / len(guests)
    A.grad = 0.0
    loss.backward()
    A.data -= 6e-4 * A.grad
    swings.append(round(A.data, 3))
print(swings)
assert abs(swings[-1] - best) > abs(swings[0] - best) > abs(1.0 - best)  # it diverges

# %% [markdown]
# **What to remember.** A model has parameters; a loss says how wrong it is; the
# derivative of the loss says which way is downhill; gradient descent takes small steps
# that way. `backward()` computes the derivative for you, however the loss was built.
# Next: the neuron, the building block of a network.
