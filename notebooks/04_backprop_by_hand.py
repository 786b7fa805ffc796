# %% [markdown]
# # 4. Backprop by hand, one step at a time
#
# `backward()` fills in every `.grad` of a graph: how much the final result would change
# if that number changed a little. It does so with one rule, the **chain rule**, applied
# at one node at a time, starting from the output and walking back to the inputs:
#
# $$\frac{dL}{d\,\text{operand}} \mathrel{+}= \frac{dL}{d\,\text{node}} \cdot
# \frac{\partial\, \text{node}}{\partial\, \text{operand}}$$
#
# In words: the blame a node received (its grad, the **upstream** gradient) is passed to
# each of its operands, scaled by the **local derivative**, which only depends on the one
# operation at that node.
#
# Two kinds of derivative appear, and gradstep writes them differently everywhere (the
# stepper, the table, the HTML page, the compiled code): **∂node/∂operand**, with a curly
# ∂, is the *local* derivative of one op, known the moment the op ran (for $e = a b$,
# $\partial e/\partial a = b$); **dL/dx**, with a straight d, is the *gradient* of the
# final result $L$ with respect to $x$, which the backward pass builds up, one product
# per path from $L$ down to $x$. That sum is why the rule says $+=$.
#
# In this lesson we do it by hand first, then let gradstep's stepper do it one step at a
# time and check every step against our numbers.

# %%
import html
import math
import warnings
from pathlib import Path

from IPython.display import FileLink, display

import engine
from engine import Value
from nn.lesson import expect

# %% [markdown]
# ## A small expression
#
# $$L = (a \cdot b + c) \cdot f \qquad a = 2,\ b = -3,\ c = 10,\ f = -2$$
#
# We name the pieces: $e = a b = -6$, $d = e + c = 4$, $L = d f = -8$.

# %%
a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
L = d * f
L.label = "L"
assert (e.data, d.data, L.data) == (-6.0, 4.0, -8.0)

# %% [markdown]
# ### Local derivatives, by hand
#
# Each op knows its own slope. For a product $x y$ the slope with respect to $x$ is $y$
# (and vice versa); for a sum the slope with respect to each term is 1.
#
# | node | operand | local derivative | value |
# |---|---|---|---:|
# | $L = d f$ | $d$ | $f$ | $-2$ |
# | $L = d f$ | $f$ | $d$ | $4$ |
# | $d = e + c$ | $e$ | $1$ | $1$ |
# | $d = e + c$ | $c$ | $1$ | $1$ |
# | $e = a b$ | $a$ | $b$ | $-3$ |
# | $e = a b$ | $b$ | $a$ | $2$ |
#
# ### The chain rule, by hand
#
# Start with $dL/dL = 1$ and multiply backwards, upstream gradient times local derivative:
#
# * $dL/dd = 1 \cdot \partial L/\partial d = 1 \cdot f = -2$ and $dL/df = 1 \cdot d = 4$
# * $dL/de = -2 \cdot \partial d/\partial e = -2 \cdot 1 = -2$ and $dL/dc = -2 \cdot 1 = -2$
# * $dL/da = -2 \cdot \partial e/\partial a = -2 \cdot b = 6$ and $dL/db = -2 \cdot a = -4$

# %%
local_by_hand = {
    ("L", "d"): f.data, ("L", "f"): d.data,
    ("d", "e"): 1.0, ("d", "c"): 1.0,
    ("e", "a"): b.data, ("e", "b"): a.data,
}
grad_by_hand = {"L": 1.0, "d": -2.0, "f": 4.0, "e": -2.0, "c": -2.0, "a": 6.0, "b": -4.0}

# %% [markdown]
# ### Before: nothing known yet
#
# `engine.backprop_steps(L)` starts the backward pass and stops before the first step.
# Its frame 0 shows the graph at that moment: the output's grad is seeded with 1, every
# other grad is still a `?`.

# %%
steps = engine.backprop_steps(L)
print(f"{steps.total} steps to take, one per node an op computed")
assert steps.total == 3
steps.frame(0)

# %% [markdown]
# ### During: one step at a time
#
# Each `next(steps)` performs one step and returns a record of it: the chain-rule lines
# with the actual numbers, and (displayed in Jupyter) the graph with the current node and
# its arrows highlighted. The first line is the first bullet above, written by the
# stepper: `dL/dd += dL/dL · ∂L/∂d = 1 · (-2) = -2`. We check every number against our
# hand table as we go.

# %%
first = next(steps)
assert first.lines[0] == "dL/dd += dL/dL · ∂L/∂d = 1 · (-2) = -2"
for step in [first, *steps]:
    display(step)
    for update in step.updates:
        key = (step.name, update.name)
        assert update.local == local_by_hand[key], key
        assert update.contribution == grad_by_hand[step.name] * local_by_hand[key], key
        assert update.after == grad_by_hand[update.name], key
print("every step matches the hand computation")

# %% [markdown]
# ### After: the same as `backward()`
#
# The stepper did exactly what `backward()` does, in the same order with the same
# arithmetic. A fresh copy of the expression, run through `backward()`, gets the same
# grads.

# %%
grads = {v.label: v.grad for v in (a, b, c, d, e, f, L)}
assert grads == grad_by_hand

a2, b2, c2, f2 = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
L2 = (a2 * b2 + c2) * f2
L2.backward()
assert [a2.grad, b2.grad, c2.grad, f2.grad] == [a.grad, b.grad, c.grad, f.grad]
engine.draw_dot(L)

# %% [markdown]
# ## A neuron with two inputs
#
# $$o = \tanh(x_1 w_1 + x_2 w_2 + b) \qquad x_1 = 2,\ x_2 = 0,\ w_1 = -3,\ w_2 = 1,\
# b = 6.8813735870195432$$
#
# (That odd bias makes the numbers come out round.) Forward: $x_1 w_1 = -6$, $x_2 w_2 =
# 0$, their sum $s = -6$, $n = s + b = 0.8814$, and $o = \tanh(n) = 0.7071$.

# %%
x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
bias = Value(6.8813735870195432, "b")
for p in (w1, w2, bias):
    engine.mark(p, "parameter")  # drawn green: the numbers training would adjust
x1w1 = x1 * w1
x1w1.label = "x1w1"
x2w2 = x2 * w2
x2w2.label = "x2w2"
s = x1w1 + x2w2
s.label = "s"
n = s + bias
n.label = "n"
o = n.tanh()
o.label = "o"
print(f"n = {n.data:.4f}, o = {o.data:.4f}")
expect("the odd bias makes o = √0.5, so that 1 - o² = 0.5: the by-hand numbers below "
       "are written for it", abs(o.data - math.sqrt(0.5)) < 1e-12, got=o.data,
       expected=math.sqrt(0.5), settings={"bias": 6.8813735870195432})

# %% [markdown]
# ### By hand
#
# The one new local derivative is tanh's: $\partial o / \partial n = 1 - \tanh(n)^2 = 1 -
# o^2 = 1 - 0.5 = 0.5$. From there:
#
# * $do/dn = 1 \cdot 0.5 = 0.5$; through the two sums (local derivative 1), $s$, $b$,
#   $x_1 w_1$ and $x_2 w_2$ all get $0.5 \cdot 1 = 0.5$;
# * $do/dw_1 = 0.5 \cdot x_1 = 1$ and $do/dx_1 = 0.5 \cdot w_1 = -1.5$;
# * $do/dw_2 = 0.5 \cdot x_2 = 0$ (the input was 0, so this weight did not matter) and
#   $do/dx_2 = 0.5 \cdot w_2 = 0.5$.

# %%
tanh_local = 1 - o.data**2
assert abs(tanh_local - 0.5) < 1e-12
neuron_by_hand = {"o": 1.0, "n": 0.5, "s": 0.5, "b": 0.5, "x1w1": 0.5, "x2w2": 0.5,
                  "w1": 1.0, "x1": -1.5, "w2": 0.0, "x2": 0.5}

# %% [markdown]
# ### The trace table
#
# `engine.backprop_table(o)` runs the whole pass step by step and lists it: one row per
# step, with the upstream gradient do/d(node), the local derivatives ∂node/∂operand and
# the operands' grads after the step. It only looks: afterwards every `.grad` is back as
# it was (here: still 0), so looking at a table never changes what you are studying.

# %%
table = engine.backprop_table(o)
print(table)
for step in table.steps:
    for update in step.updates:
        assert abs(update.after - neuron_by_hand[update.name]) < 1e-12, update.name
assert abs(table.steps[0].updates[0].local - tanh_local) < 1e-15
assert all(v.grad == 0.0 for v in (x1, x2, w1, w2, bias, n, o))  # the table changed nothing

# %% [markdown]
# ### Before, during and after, as pictures
#
# Now we step through ourselves. `backprop_steps` *is* a backward pass (the very one
# `backward()` runs, stopping at every node), so it sets the grads as it goes.

# %%
walk = engine.backprop_steps(o)
display(walk.frame(0))  # before: only the output's grad is known
for _ in range(3):
    step = next(walk)
step  # during: the third step, its node outlined; grads not reached yet show "?"

# %%
rest = list(walk)
assert len(rest) == walk.total - 3 == 2
for leaf in (x1, x2, w1, w2, bias):
    assert abs(leaf.grad - neuron_by_hand[leaf.label]) < 1e-12, leaf.label
engine.draw_dot(o, edge_derivatives=True)  # after: every grad, and each local derivative on its arrow

# %% [markdown]
# ### What happens if you forget to reset
#
# Run `backward()` twice without `zero_grad` and every leaf's grad doubles. This is the
# most common bug in hand-written training loops, which is why every loop in these
# lessons starts its step with `zero_grad()`.

# %%
before = w1.grad
o.backward()
assert w1.grad == 2 * before
engine.zero_grad(o)
o.backward()
assert w1.grad == before

# %% [markdown]
# The stepper is a backward pass too, so the same holds for it: `backward()` and then
# `backward_steps()` leaves every leaf at twice its gradient. The tools say so when a
# pass starts on leaves that still hold grads: a `CarriedGradWarning` names them and
# what to do. Here it is, caught and printed:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    list(o.backward_steps())  # o.backward() above already filled the grads
print(caught[0].message)
assert caught[0].category.__name__ == "CarriedGradWarning"
assert "zero_grad()" in str(caught[0].message)
assert w1.grad == 2 * before

# %% [markdown]
# ### Take it with you: an HTML stepper
#
# `engine.export_backprop_html` writes every step into one self-contained web page with
# Prev / Next buttons and a slider; it opens in any browser, no Python needed.
# It is written next to this notebook; click the link to open it.
# (`python -m demos.backprop` writes one for you too.)

# %%
engine.zero_grad(o)  # the page starts from zero grads, as the lesson did
page = Path("neuron_backprop.html")
engine.export_backprop_html(o, page, title="o = tanh(x1·w1 + x2·w2 + b)")
print(f"wrote {page.resolve()}: {page.stat().st_size // 1024} KB, one page, no network needed")
display(FileLink(page, result_html_prefix="open the stepper: "))
text = page.read_text(encoding="utf-8")
assert "tanh(x1·w1 + x2·w2 + b)" in text
assert all(html.escape(step.formula) in text for step in table.steps)  # every step is there
assert w1.grad == 0.0  # writing the page, like the table, changed no grad

# %% [markdown]
# **What to remember.** Backprop is the chain rule, applied once per node from the
# output back: upstream grad times local derivative, added to each operand's grad. Each
# local derivative is a fact about one op; the graph does the bookkeeping. Next: the
# guest-list network, where the same steps run through a dozen neurons.
