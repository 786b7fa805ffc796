# %% [markdown]
# # 15. Forward mode: derivatives pushed forward
#
# Backprop goes from the output back to the inputs. There is a second way to get
# derivatives, and it goes the other way: carry each value's derivative *along with*
# the value as the computation runs forward. It is called **forward mode**, and its
# tool is the **dual number**. (JAX's tutorial "Autodidax" builds autodiff in this
# order: forward mode first, then reverse mode.)

# %%
import math
import statistics
import timeit

import engine
import nn
from engine import Dual, Value
from nn.lesson import expect

# %% [markdown]
# ## Dual numbers
#
# A dual number is $a + \dot a\,\varepsilon$, a value $a$ and a tangent $\dot a$, where
# $\varepsilon$ is a made-up number with $\varepsilon^2 = 0$. Multiply two of them:
#
# $$(a + \dot a\varepsilon)(b + \dot b\varepsilon) = ab + (a\dot b + \dot a b)\,\varepsilon
# + \dot a\dot b\,\varepsilon^2 = ab + (a\dot b + \dot a b)\,\varepsilon$$
#
# The $\varepsilon$ part is exactly the product rule. Every op works like that: the
# output's tangent is the sum of (local derivative × operand's tangent), the same local
# derivatives backprop uses, applied forwards. Seed $x$ with tangent 1 and the result's
# tangent is $df/dx$.

# %%
x = Dual(3.0, 1.0)  # x = 3, and dx/dx = 1
y = x * x + 2 * x
print(y)
expect("d(x² + 2x)/dx at 3 is 2·3 + 2 = 8", y.tangent == 8.0, got=y.tangent, expected=8.0)

# %% [markdown]
# The README's neuron $y = \tanh(x w + b)$ with $x = 2$, $w = -3$, $b = 6.5$: pushing
# tangent 1 in at $x$ gives $dy/dx$, the number `backward()` finds.

# %%
x_at, w_at, b_at = 2.0, -3.0, 6.5
forward = (Dual(x_at, 1.0) * w_at + b_at).tanh()
xv = Value(x_at)
(xv * w_at + b_at).tanh().backward()
print(f"forward mode: dy/dx = {forward.tangent:.12f}")
print(f"reverse mode: dy/dx = {xv.grad:.12f}")
expect("forward and reverse mode agree on dy/dx", math.isclose(forward.tangent, xv.grad,
       rel_tol=1e-12), got=forward.tangent, expected=xv.grad, settings={"x_at": 2.0})

# %% [markdown]
# ## One input at a time
#
# A tangent says which direction we move the inputs in. Seeding one input with 1 and
# the rest with 0 gives the derivative with respect to that one input, so the whole
# gradient of a function of $n$ inputs takes $n$ forward passes. `engine.jvp(f, inputs,
# tangents)` (JAX's name: a Jacobian-vector product) runs a function written for Values
# and pushes the tangents through it. One backward pass gives every input's gradient at
# once.

# %%
n_inputs = 4
neuron = nn.Neuron(n_inputs, activation="tanh", seed=0)
point = [0.5, -1.0, 0.25, 2.0][:n_inputs] + [0.0] * max(0, n_inputs - 4)


def f(xs):
    return neuron(xs)


by_forward = []
for i in range(n_inputs):
    seed = [1.0 if j == i else 0.0 for j in range(n_inputs)]
    by_forward.append(engine.jvp(f, point, seed)[1])
xs = [Value(v) for v in point]
f(xs).backward()
by_reverse = [v.grad for v in xs]
print("forward, one pass per input:", [round(g, 6) for g in by_forward])
print("reverse, one pass in all:   ", [round(g, 6) for g in by_reverse])
expect("n forward passes give the gradient one backward pass gives",
       all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(by_forward, by_reverse)),
       got=by_forward, expected=by_reverse)

# %% [markdown]
# ## What it costs
#
# Both passes visit every node of the graph once and do a little arithmetic there. So
# forward mode costs about one pass per input and reverse mode one pass per *output*.
# A loss has one output and many parameters: that is why training uses reverse mode.
# (Forward mode wins the other way round, many outputs and few inputs, and it needs no
# memory of the graph: each value's tangent is ready as soon as the value is.)
#
# Let's time it: the gradient of a neuron with $n$ inputs, by $n$ calls of `jvp` against
# one `backward()` (medians of a few runs on this machine). Each of our forward passes
# costs several backward passes even for small $n$ (`jvp` first builds the graph with
# Values, then pushes duals through it op by op, written for reading, not speed); what
# matters is how the ratio grows: $n$ passes against one.

# %%
def median_seconds(run, at_least=0.01):
    """Seconds per call: runs grouped until a group lasts `at_least` s, median of 5 groups.

    One call of a small backward() lasts microseconds, below the resolution of a
    browser's clock; a group of calls is long enough for any clock.
    """
    number = 1
    while timeit.timeit(run, number=number) < at_least:
        number *= 10
    return statistics.median(timeit.repeat(run, number=number, repeat=5)) / number


sizes = [4, 16, 64]
ratios, work = {}, {}
for n in sizes:
    model = nn.Neuron(n, activation="tanh", seed=0)
    at = [math.sin(i) for i in range(n)]
    ops = len(engine.topological_order(model([Value(v) for v in at]))[0])  # nodes per pass
    work[n] = (n * ops, ops)  # ops evaluated: n forward passes, one backward pass

    def all_by_forward():
        for i in range(n):
            engine.jvp(model, at, [1.0 if j == i else 0.0 for j in range(n)])

    def all_by_reverse():
        leaves = [Value(v) for v in at]
        model(leaves).backward()

    ratios[n] = median_seconds(all_by_forward) / median_seconds(all_by_reverse)
    print(f"n = {n:3}: {ops:4} ops per pass; forward mode {n * ops:5} op steps, reverse {ops:4};"
          f" measured time ratio {ratios[n]:6.1f}")

chart = nn.Chart(width=5, height=3)
panel = chart.panel(title="the whole gradient: forward mode / reverse mode",
                    xlabel="inputs n", ylabel="ratio", ylog=True, legend="upper left")
panel.line(sizes, [work[n][0] / work[n][1] for n in sizes], "op steps (= n)", dots=True)
panel.line(sizes, [ratios[n] for n in sizes], "time, measured here", dots=True, dash=True)
chart.show()
expect("forward mode's time grows with the number of inputs", ratios[64] > ratios[4],
       got=ratios[64], expected=f"> {ratios[4]:.2f}")

# %% [markdown]
# **What to remember.** Forward mode carries a tangent with every value: the same
# local derivatives as backprop, multiplied in the other direction. Dual numbers do it
# with $\varepsilon^2 = 0$. One forward pass gives the derivative along one direction;
# the full gradient of $n$ inputs takes $n$ passes, where reverse mode takes one. That
# is why neural networks, with one loss and many weights, are trained by backprop.
#
# That is the end of the path. Lesson 16 is optional: it treats the gradient as a
# graph of its own, for second derivatives and Newton's method.
