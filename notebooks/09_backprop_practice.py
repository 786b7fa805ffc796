# %% [markdown]
# # 9. Your turn: backprop by hand, checked
#
# Lesson 4 watched the backward pass, one chain-rule step at a time. Here you do it: the
# forward pass is done, every grad is hidden, and you work them out. `engine.practice`
# checks your numbers against the backward pass and, when one is wrong, says which step
# most likely went wrong. The usual mistakes, all of which it recognises:
#
# 1. **A Value used twice, contributions not added.** A node used by two ops gets one
#    term from each: $\frac{dL}{dx} = \frac{dL}{da}\frac{\partial a}{\partial x} +
#    \frac{dL}{db}\frac{\partial b}{\partial x}$.
# 2. **The upstream grad handed down unchanged**, without multiplying by the local
#    derivative.
# 3. **A sign error**, usually at a subtraction or a negative weight.
# 4. **The op's input where its output belongs.** tanh's derivative is $1 - \tanh(n)^2 =
#    1 - o^2$ with $o$ the *output*; $1 - n^2$ is a different number.
# 5. **A wrong number carried down.** One wrong grad makes every grad below it wrong,
#    even where the chain rule was applied correctly: fix the first wrong one first.
#
# The answers are compared with a relative tolerance of $10^{-3}$: four significant
# digits of hand arithmetic are enough.

# %%
import math
from pathlib import Path

from IPython.display import FileLink, display

import engine
from engine import Value

# %% [markdown]
# ## A neuron that uses one input twice
#
# $$o = \tanh(x_1 w_1 + x_2 w_2 + b) + 0.5\,x_1$$
#
# $x_1$ feeds the neuron *and* the shortcut $0.5\,x_1$, so its grad has two terms.

# %%
x1, w1 = Value(2.0, "x1"), Value(-3.0, "w1")
x2, w2 = Value(0.0, "x2"), Value(1.0, "w2")
b = Value(6.8813735870195432, "b")
n = x1 * w1 + x2 * w2 + b
n.label = "n"
t = n.tanh()
t.label = "t"
s = x1 * 0.5
s.label = "s"
o = t + s
o.label = "o"

p = engine.practice(o)
print(p)

# %% [markdown]
# In Jupyter, `p` on its own line shows a form: the graph with every grad as `?`, one box
# per node, a **Check** button that writes the verdicts and hints next to the boxes, and
# **Reveal answers**. (It needs `ipywidgets`; without it `p` prints the list above and
# says how to get the form.)

# %%
display(p)

# %% [markdown]
# ## Checking answers, and what the hints say
#
# Work top to bottom: $do/dt = 1$ and $do/ds = 1$ (a sum passes its grad through), then
# $do/dn = do/dt \cdot (1 - t^2)$, and so on. Here are some answers, each with one
# classic mistake in it, to see what `check` makes of them.

# %%
tt = math.tanh(n.data)  # t's data, by hand: tanh(0.8814) = 0.7071
good = {
    "t": 1.0,
    "s": 1.0,
    "n": 1 - tt**2,
    "b": 1 - tt**2,
    "w1": (1 - tt**2) * x1.data,
    "w2": (1 - tt**2) * x2.data,
    "x2": (1 - tt**2) * w2.data,
    "x1": (1 - tt**2) * w1.data + 0.5,  # two uses: through n and through s
}
attempt = dict(good)
attempt["n"] = 1.0  # forgot to multiply by 1 - t²
attempt["b"] = 1.0  # right from that wrong do/dn (∂n/∂b = 1), so wrong too
attempt["x1"] = (1 - tt**2) * w1.data  # forgot the shortcut's term
report = p.check(attempt)
print(report)

# %%
# The names of the internal sums (n1, n2, n3) are generated: print(p) lists them.
assert report["n"].mistake == "not multiplied"
assert report["x1"].mistake == "not summed"
# n is wrong, so the grads computed from it are too: check names the first wrong one.
assert report["b"].mistake == "carried" and "your do/dn = 1" in report["b"].hint
assert not report.ok

# %% [markdown]
# Two more mistakes: $1 - n^2$ where $1 - t^2$ belongs (the op's input for its output),
# and a sign.

# %%
attempt = dict(good)
attempt["n"] = 1 - n.data**2
attempt["x1"] = -good["x1"]
report = p.check(attempt)
print(report["n"].hint)
print(report["x1"].hint)
assert report["n"].mistake == "input for output"
assert report["x1"].mistake == "sign"

# %% [markdown]
# The form and `check` need every node; the generated names (`n1`, `n2`, `n3`: the
# products and the first sum) come from `print(p)`. With them filled in, everything is
# right:

# %%
products = 1 - tt**2  # a sum hands its grad to each term unchanged
everything = {**good, "n1": products, "n2": products, "n3": products}
assert p.check(everything).ok
assert set(everything) == set(p.solution())

# %% [markdown]
# ## The same exercise as a web page
#
# `export_backprop_html(root, path, practice=True)` writes it as one offline page: a box
# per node, **Check** per row or **Check all**, the same hints, **Show** / **Reveal**.
# Click a node of the picture to see its op, its local derivative and the sum that makes
# its grad (the numbers appear once you have the answer). It is written next to this
# notebook; click the link to open it.

# %%
page = Path("practice.html")
engine.export_backprop_html(o, page, practice=True)
display(FileLink(page, result_html_prefix="open the exercise page: "))
text = page.read_text(encoding="utf-8")
assert text.count('class="question"') == len(p.questions)
assert all(v.grad == 0.0 for v in (x1, w1, x2, w2, b))  # looking changed no grad

# %% [markdown]
# ## Exercise: one sigmoid neuron, its squared error, and weight decay
#
# $$z = w x + b,\quad s = \sigma(z),\quad e = s - y,\quad L = e^2 + 0.1\,(w \cdot w)$$
#
# with $x = 1.5$, $y = 1$, $w = 0.8$, $b = -0.5$. The penalty uses $w$ twice in one
# product, and $w$ is used by $z$ too: three terms. Fill in `answers` below **by hand**
# (numbers, or arithmetic on the data), then run the cell. Every name must be there;
# `print(q)` lists them. Tips: $\sigma'(z) = s(1 - s)$ with $s$ the output;
# $\partial(e^2)/\partial e = 2e$. Until a box is filled in, `check` calls it missing;
# `q.form()` is the same exercise as a form.
#
# A teacher can hand this exercise out with other numbers for each student, to be
# handed in rather than checked: `python -m engine.exercises make shared` (see the
# README's "Teaching with gradstep").

# %%
x, y = Value(1.5, "x"), Value(1.0, "y")
w, bias = Value(0.8, "w"), Value(-0.5, "bias")
wx = w * x
wx.label = "wx"
z = wx + bias
z.label = "z"
sig = z.sigmoid()
sig.label = "s"
e = sig - y
e.label = "e"
sq = e**2
sq.label = "sq"
ww = w * w
ww.label = "ww"
penalty = ww * 0.1
penalty.label = "penalty"
loss = sq + penalty
loss.label = "L"

q = engine.practice(loss)
print(q)

# %%
answers = {
    "sq": None,
    "penalty": None,
    "e": None,
    "ww": None,
    "s": None,
    "y": None,
    "z": None,
    "wx": None,
    "bias": None,
    "x": None,
    "w": None,  # three uses: in w·x, and twice in w·w
}
result = q.check(answers)
print(result)
assert set(answers) == set(q.solution())  # every node asked for has its line above
assert all(r.status in ("ok", "missing") or r.hint for r in result.rows)  # wrong ones say why

# %% [markdown]
# **What to remember.** Each grad is a sum with one term per use, each term the upstream
# grad times the local derivative of that one op, with the op's own numbers: its inputs
# *and* its output. Work from the output back, and when an answer is wrong, fix the first
# wrong one: the ones below it inherit its error. Next: a network with ten answers,
# reading handwritten digits.
