# %% [markdown]
# # 3. Logistic regression is one sigmoid neuron
#
# Logistic regression predicts the probability of a yes/no outcome from some inputs. With
# one input $x$ it computes
#
# $$p = \sigma(w x + b) = \frac{1}{1 + e^{-(w x + b)}}$$
#
# which is exactly a neuron with one weight $w$ (the slope), a bias $b$ (the intercept)
# and a sigmoid activation. So instead of typing the weights in, as in lesson 2, let's
# *learn* them from data with gradient descent.
#
# The data (made up for this lesson): ten students, the hours each one studied, and
# whether they passed the exam (1) or not (0). More study helps, but not perfectly: one
# student passed after 2.5 hours, another failed after 3.

# %%
import engine
import nn
from nn.lesson import expect
from engine import Value

hours = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
passed = [0, 0, 0, 0, 1, 0, 1, 1, 1, 1]

# %% [markdown]
# ## How wrong is a probability? Binary cross-entropy
#
# For yes/no answers the usual loss is the **binary cross-entropy**: $-\log p$ when the
# answer was yes, $-\log(1 - p)$ when it was no. Saying 0.9 for a student who passed
# costs little ($-\log 0.9 \approx 0.105$); saying 0.1 costs a lot ($\approx 2.303$).
#
# It pairs beautifully with the sigmoid. The slope of the loss with respect to the sum
# $z = w x + b$ is simply $p - y$: the prediction minus the answer, just like the error in
# lesson 1. Let's check that with `backward()`. (In the graph, the tiny constant 1e-12
# is added inside the log so that a probability of exactly 0 cannot give $\log 0$; it
# changes nothing you can see.)

# %%
z = Value(0.8, label="z")
p = z.sigmoid()
p.label = "p"
loss = nn.bce([p], [1])
loss.label = "loss"
loss.backward()

print(f"p = {p.data:.4f}, loss = {loss.data:.4f}, dloss/dz = {z.grad:.6f}, p - y = {p.data - 1:.6f}")
assert abs(z.grad - (p.data - 1)) < 1e-9
assert abs(nn.bce([Value(0.9)], [1]).data - 0.1054) < 1e-4
assert abs(nn.bce([Value(0.1)], [1]).data - 2.3026) < 1e-4
engine.draw_dot(loss)

# %% [markdown]
# ## Training: forward, loss, backward, step
#
# We start from a random weight (and bias 0) and repeat the four moves of every training
# loop. `nn.SGD` does the update $w \leftarrow w - \eta\, \partial L / \partial w$ for
# every parameter; its `zero_grad()` clears the grads from the previous round first.

# %%
lr, epochs = 0.5, 3000  # try lr = 0.05: the same valley, walked ten times slower
SETTINGS = {"lr": 0.5, "epochs": 3000}
neuron = nn.Neuron(1, activation="sigmoid", seed=0)
print("start:", neuron)
optimizer = nn.SGD(neuron, lr=lr)
losses = []
for epoch in range(epochs):
    probs = [neuron([h]) for h in hours]  # forward
    loss = nn.bce(probs, passed)  # how wrong
    optimizer.zero_grad()
    loss.backward()  # which way is downhill
    optimizer.step()  # a small step that way
    losses.append(loss.data)

w, b = neuron.w[0].data, neuron.b.data
print(f"after {epochs} epochs: w = {w:.3f}, b = {b:.3f}, loss {losses[0]:.3f} -> {losses[-1]:.3f}")
expect("training halves the loss", losses[-1] < losses[0] / 2, got=losses[-1],
       expected=f"< {losses[0] / 2:.4f}", settings=SETTINGS)

# %% [markdown]
# ## Reading the answer
#
# The neuron says "pass" when $p > 0.5$, that is when $w x + b > 0$, so the **decision
# boundary** is at $x = -b / w$ hours.
#
# We can know in advance where it must be: the data is symmetric. Swap every $x$ for
# $5.5 - x$ and every answer for its opposite, and you get the same ten students back. So
# the best boundary sits exactly in the middle, at 2.75 hours, where the model should be
# undecided ($p = 0.5$).

# %%
boundary = -b / w
print(f"decision boundary: {boundary:.4f} hours;  P(pass | 2.75 h) = {neuron([2.75]).data:.4f}")
expect("more study, more passes: w > 0", w > 0, got=w, expected="> 0", settings=SETTINGS)
expect("the boundary sits in the middle, at 2.75 hours", abs(boundary - 2.75) < 0.01,
       got=boundary, expected=2.75, settings=SETTINGS)
expect("the model is undecided at 2.75 hours", abs(neuron([2.75]).data - 0.5) < 0.01,
       got=neuron([2.75]).data, expected=0.5, settings=SETTINGS)

predicted = [1 if neuron([h]).data > 0.5 else 0 for h in hours]
accuracy = sum(p == y for p, y in zip(predicted, passed)) / len(hours)
print("predicted:", predicted, " accuracy:", accuracy)
expect("8 of 10 right: the two surprising students cannot both be", accuracy == 0.8,
       got=accuracy, expected=0.8, settings=SETTINGS)

# %% [markdown]
# At the bottom of the valley the slope is flat, so the gradients should now be close to
# zero:

# %%
optimizer.zero_grad()
nn.bce([neuron([h]) for h in hours], passed).backward()
print(f"dL/dw = {neuron.w[0].grad:.2e}, dL/db = {neuron.b.grad:.2e}")
largest = max(abs(neuron.w[0].grad), abs(neuron.b.grad))
expect("at the bottom the gradients are close to 0", largest < 1e-3, got=largest,
       expected="< 0.001", settings=SETTINGS)

# %% [markdown]
# ## The probability curve
#
# The learned S-curve rises through 0.5 at the boundary. The loss curve on the right
# falls fast at first, then slowly as the slope flattens.

# %%
xs = [0.05 * i for i in range(121)]
chart = nn.Chart(cols=2, width=5.5, height=3.8)
left = chart.panel(title="one sigmoid neuron", xlabel="hours studied",
                   ylabel="probability of passing", legend="center right")
left.line(xs, [neuron([x]).data for x in xs], "P(pass)", "tab:blue")
for outcome, colour, name in [(1, "tab:green", "passed (y = 1)"), (0, "tab:red", "failed (y = 0)")]:
    studied = [h for h, y in zip(hours, passed) if y == outcome]
    left.points(studied, [outcome] * len(studied), name, colour)
left.vline(boundary, f"boundary {boundary:.2f} h")
left.hline(0.5, "P = 0.5")
right = chart.panel(title="training loss", xlabel="epoch", ylabel="binary cross-entropy")
right.line(range(1, len(losses) + 1), losses, "loss, epoch by epoch", "tab:orange")
chart.show()

# %% [markdown]
# ## The same thing with `nn.fit`
#
# The loop above is what `nn.fit` runs for you (with a progress bar and a history).
# Starting from the same random weight, it arrives at the same numbers.

# %%
again = nn.Neuron(1, activation="sigmoid", seed=0)
history = nn.fit(again, [[h] for h in hours], passed, loss="bce", lr=lr, epochs=epochs,
                 progress=False)
print(history)
assert abs(again.w[0].data - w) < 1e-9 and abs(again.b.data - b) < 1e-9  # any lr, epochs
expect("fit gets 8 of 10 right too", history.accuracy[-1] == 0.8,
       got=history.accuracy[-1], expected=0.8, settings=SETTINGS)

# %% [markdown]
# **What to remember.** Logistic regression is one neuron with a sigmoid; binary
# cross-entropy measures its mistakes and hands back $p - y$ as the slope; gradient
# descent does the rest. A network is many such neurons feeding each other, which is
# where backpropagation comes in: next lesson.
