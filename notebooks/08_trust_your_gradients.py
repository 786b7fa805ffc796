# %% [markdown]
# # 8. Trust your gradients
#
# Every lesson so far leaned on `backward()`. Training only works if the gradients are
# right, and a wrong gradient does not crash: the network just learns badly, or not at
# all, and you may never find out why. So how can we check a gradient?
#
# By going back to what a derivative *is*: how much the output changes when you nudge the
# input a tiny bit. That needs no calculus at all, only two more evaluations of the
# function.

# %%
import inspect
import math

from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn
from engine import Value
from engine.testing import graphs
from nn.lesson import expect

# %% [markdown]
# ## Finite differences
#
# Nudge $x$ by a small $h$ both ways and measure the slope of the chord:
#
# $$f'(x) \approx \frac{f(x + h) - f(x - h)}{2h}$$
#
# Let's try it on $f(x) = x \tanh(x)$ at $x = 0.7$ and compare with `backward()`.

# %%
def f(x):
    return x * x.tanh() if isinstance(x, Value) else x * math.tanh(x)


at = 0.7  # try another point: backward and the nudge agree everywhere
x = Value(at, label="x")
y = f(x)
y.backward()


def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


numeric = central_difference(f, at, 1e-6)
print(f"backward:           {x.grad:.12f}")
print(f"finite difference:  {numeric:.12f}")
print(f"by hand, tanh(x) + x(1 - tanh(x)^2): {math.tanh(at) + at * (1 - math.tanh(at) ** 2):.12f}")
expect("backward agrees with the finite difference to 1e-8", abs(x.grad - numeric) < 1e-8,
       got=x.grad, expected=numeric, settings={"at": 0.7})

# %% [markdown]
# How small should $h$ be? Too large and the chord is a poor stand-in for the tangent;
# too small and we subtract two almost equal numbers, losing digits to rounding. The
# error (against `backward()`) is smallest around $h \approx 10^{-5}$ to $10^{-6}$, which
# is why gradient checkers use $h = 10^{-6}$ in double precision.

# %%
hs = [10.0**-k for k in range(1, 14)]
errs = [abs(central_difference(f, at, h) - x.grad) for h in hs]
checker_h = inspect.signature(engine.gradcheck).parameters["eps"].default  # gradcheck's h
chart = nn.Chart(width=6, height=3.5)
panel = chart.panel(title="error of the central difference", xlabel="step h (smaller to the right)",
                    ylabel="|finite difference - backward|", xlog=True, ylog=True, flip_x=True,
                    legend="upper center")
panel.line(hs, errs, f"f(x) = x tanh(x) at x = {at:g}", "tab:blue", dots=True)
panel.vline(checker_h, f"engine.gradcheck's h = {checker_h:g}")
chart.show()

best_h = hs[errs.index(min(errs))]
print("best h:", best_h)
expect("the best h lies between 1e-7 and 1e-3", 1e-7 <= best_h <= 1e-3, got=best_h,
       expected="1e-7 to 1e-3", settings={"at": 0.7})
expect("gradcheck's h is near the best", errs[hs.index(checker_h)] < 100 * min(errs),
       got=errs[hs.index(checker_h)], expected=f"< {100 * min(errs):.3g}", settings={"at": 0.7})
expect("both ends are worse", errs[0] > 1e3 * min(errs) and errs[-1] > 1e3 * min(errs),
       got=(errs[0], errs[-1]), expected=f"> {1e3 * min(errs):.3g}", settings={"at": 0.7})

# %% [markdown]
# ## `engine.gradcheck`: every input at once
#
# `engine.gradcheck(f, inputs)` does this for every input of a function and prints a
# table. `f` takes a list of Values and returns a Value; `inputs` are the numbers to check
# at. It uses PyTorch's defaults: $h = 10^{-6}$, and it accepts a difference up to
# $10^{-5} + 10^{-3} \times |\text{numeric}|$.

# %%
def neuron(v):
    x1, x2, w1, w2, b = v
    return (x1 * w1 + x2 * w2 + b).tanh()


inputs = [Value(2.0, "x1"), Value(0.0, "x2"), Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.88, "b")]
report = engine.gradcheck(neuron, inputs)
print(report)
assert report.ok and len(report.rows) == 5
assert all(row.status == "ok" for row in report.rows)

# %% [markdown]
# Where a function has a kink (ReLU at 0, $|x|$ at 0) the derivative does not exist, and
# the two nudges land on different sides. `gradcheck` notices that and says so, instead
# of calling it a failure:

# %%
kink = engine.gradcheck(lambda v: v[0].relu() + v[1].relu(), [Value(0.0, "p"), Value(2.0, "q")])
print(kink)
assert [row.status for row in kink.rows] == ["kink", "ok"] and kink.ok

# %% [markdown]
# ## Catching a wrong derivative
#
# Now let's make the mistake on purpose. `engine.define_op` adds an op the same way the
# built-in ops are defined: a forward expression and its derivative, as Python expressions
# over the operand `a` (and the output `out`). We define **softplus**,
# $\log(1 + e^a)$, a smooth cousin of ReLU. Its derivative is $e^a / (1 + e^a) =
# \sigma(a)$, but we write $1 / (1 + e^a)$: an easy slip, since that is $\sigma(-a)$.

# %%
softplus_wrong = engine.define_op(
    "softplus_wrong", "log(1.0 + exp(a))", ["1.0 / (1.0 + exp(a))"], symbol="softplus?"
)

# %% [markdown]
# The graph shows the slip, if you know what to look for: with `edge_derivatives=True`
# each arrow into an op carries the local derivative. At $a = 1.5$ the arrow says 0.18,
# but the slope of softplus there is $\sigma(1.5) \approx 0.82$.

# %%
a = Value(1.5, label="a")
out = softplus_wrong(a)
out.label = "out"
out.backward()
assert abs(a.grad - 1 / (1 + math.exp(1.5))) < 1e-12  # backward used the wrong formula
engine.draw_dot(out, edge_derivatives=True)

# %% [markdown]
# A check at one point can be fooled. At $a = 0$ the wrong formula happens to give the
# right number, $1/2$, so gradcheck passes there:

# %%
print(engine.gradcheck(lambda v: softplus_wrong(v[0]), [0.0]))
assert engine.gradcheck(lambda v: softplus_wrong(v[0]), [0.0]).ok

# %% [markdown]
# Anywhere else it fails, and `GradcheckError` prints the table: analytic (from
# `backward()`) against numeric (from the nudges).

# %%
try:
    engine.gradcheck(lambda v: softplus_wrong(v[0]) * v[1], [Value(1.5, "a"), Value(2.0, "w")])
except engine.GradcheckError as error:
    print(error)
    caught = error.report
else:
    raise AssertionError("gradcheck should have caught the wrong derivative")

assert [row.status for row in caught.rows] == ["FAIL", "ok"]
assert abs(caught.rows[0].analytic - 2 / (1 + math.exp(1.5))) < 1e-9
assert abs(caught.rows[0].numeric - 2 / (1 + math.exp(-1.5))) < 1e-6

# %% [markdown]
# The fix: the derivative is the sigmoid of $a$. Checked at a few points, including far
# out on both sides:

# %%
softplus = engine.define_op("softplus", "log(1.0 + exp(a))", ["sigmoid(a)"], register=True)
for point in [-20.0, -2.0, 0.0, 0.3, 1.5, 20.0]:
    assert engine.gradcheck(lambda v: softplus(v[0]), [point]).ok
print("softplus: gradcheck passes at every point")

# %% [markdown]
# ## Property tests: let the computer pick the points
#
# Rather than choosing points ourselves, we can state a **property**, "gradcheck passes",
# and let [hypothesis](https://hypothesis.readthedocs.io) try many inputs, looking for one
# that breaks it. When it finds one it *shrinks* it to a simple failing example.
#
# First a property of one function, with inputs drawn from $[-5, 5]$:

# %%
few = settings(max_examples=40, deadline=None, derandomize=True, database=None)


@few
@given(st.floats(-5, 5), st.floats(-5, 5))
def softplus_gradients_are_right(x, w):
    engine.gradcheck(lambda v: softplus(v[0] * v[1]) + v[1], [x, w])


softplus_gradients_are_right()
print("the property holds for 40 random (x, w) pairs")


@few
@given(st.floats(-5, 5), st.floats(-5, 5))
def wrong_gradients_are_right(x, w):
    engine.gradcheck(lambda v: softplus_wrong(v[0] * v[1]) + v[1], [x, w])


try:
    wrong_gradients_are_right()
except engine.GradcheckError as error:
    print("hypothesis found a counterexample:\n")
    print(error)
else:
    raise AssertionError("hypothesis should have found the wrong derivative")

# %% [markdown]
# ### Random graphs with `engine.testing.graphs`
#
# A derivative can be right on its own and still go wrong in company: shared
# sub-expressions, a node used twice, a chain of ops. `engine.testing.graphs()` draws
# whole random expression graphs over the op table (our registered `softplus` included),
# with inputs kept inside every op's domain. `g.build(values)` builds the graph over any
# leaves, so `gradcheck(g.build, g.inputs)` checks the lot. This is how gradstep tests its
# own ops.

# %%
drawn = []


@few
@given(graphs(max_nodes=12, ops=["softplus", "mul", "add", "tanh", "exp"], require="softplus"))
def random_graphs_check_out(g):
    drawn.append(g)
    engine.gradcheck(g.build, g.inputs)


random_graphs_check_out()
print(f"{len(drawn)} random graphs with softplus: every gradient agrees with finite differences")
assert len(drawn) >= 20

# %% [markdown]
# Here is one of those random graphs, built over leaves of our own (hypothesis likes
# inputs such as 5e-324, which make dull pictures; `g.build` takes any leaves) and drawn
# after `backward()`:

# %%
g = next(g for g in drawn if 4 <= len(g.steps) <= 7)
print(g.ops)
leaves = [Value(v, label=f"x{i}") for i, v in enumerate([0.5, -1.0, 1.5, 2.0][: len(g.inputs)])]
root = g.build(leaves)
root.backward()
assert engine.gradcheck(g.build, leaves).ok
engine.draw_dot(root)

# %% [markdown]
# **What to remember.** A derivative is a slope you can measure: nudge, evaluate, divide.
# `engine.gradcheck` does that for every input and shows where the analytic and numeric
# slopes disagree; property tests with `engine.testing.graphs` try many points and many
# graph shapes for you. Whenever you write a derivative by hand, check it this way.
# Next: your turn to work out a backward pass by hand, with a checker that says where
# it went wrong.
