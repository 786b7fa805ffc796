# %% [markdown]
# # 16. The gradient is a graph too
#
# *An optional lesson, beyond the main path: it builds on lessons 3, 4 and 8, and no
# other lesson needs it.*
#
# So far `backward()` has handed us gradients as plain numbers in `.grad`. But a
# derivative is a *function*: $dy/dx$ changes when $x$ changes, and we may want to know
# how fast, which is the second derivative, the **curvature**. Curvature is what
# Newton's method uses to take much better steps than gradient descent, and what tells us
# which directions of a valley are steep and which are flat.
#
# The trick is small. The backward pass is arithmetic: products of upstream gradients and
# local derivatives, added up. If it does that arithmetic with `Value`s instead of
# floats, every product and every sum becomes a node, and the gradient comes out as a
# `Value` with a graph of its own, built over the same inputs. Then we can call
# `backward` on *that*.
#
# `engine.grad(y, [x], create_graph=True)` does exactly this. Like
# `torch.autograd.grad`, it *returns* the gradients (one `Value` per input) instead of
# adding them to `.grad`, so it changes no `.grad` anywhere.
#
# Notation, as in lesson 4: **∂node/∂operand** (curly ∂) is the local derivative of one
# op; **dy/dx** (straight d) is the gradient the backward pass accumulates.

# %%
import math

import engine
import nn
from nn.lesson import expect
from engine import Value

# %% [markdown]
# ## The graph of dy/dx
#
# Take the function of lesson 8, $y = x \tanh(x)$, at $x = 0.7$, and name the tanh
# $t = \tanh(x)$, so $y = x \cdot t$. By hand, $x$ reaches $y$ along two paths: directly
# (the product's $\partial y/\partial x = t$) and through $t$ (the product's
# $\partial y/\partial t = x$, times tanh's $\partial t/\partial x = 1 - t^2$):
#
# $$\frac{dy}{dx} = t + x\,(1 - t^2)$$

# %%
x = Value(0.7, "x")
t = x.tanh()
t.label = "t"
y = x * t
y.label = "y"

(dx,) = engine.grad(y, [x], create_graph=True)
(dx_number,) = engine.grad(y, [x])  # without create_graph: a plain number in a leaf

t_ = math.tanh(0.7)
assert math.isclose(dx.data, t_ + 0.7 * (1 - t_**2), rel_tol=1e-15)
assert dx_number.data == dx.data and dx_number.is_leaf and not dx.is_leaf
assert x.grad == 0.0 and t.grad == 0.0  # engine.grad changed no .grad
print(f"dy/dx = {dx.data:.6f}")

# %% [markdown]
# `dx` is not a leaf: it has a graph. Let's take it apart and name its nodes before we
# draw it. Its last op is a sum: the $+$ of the two paths. (The backward pass multiplies
# by the seed $dy/dy = 1$ and by the sum's local derivative 1 too, but a product with 1
# changes nothing, so gradstep does not write it down.)

# %%
direct, via_t = dx.parents  # dy/dx = t + (dy/dt · ∂t/∂x)
upstream, local = via_t.parents  # dy/dt, which is x itself, and ∂t/∂x
one, t_squared = local.parents  # ∂t/∂x = 1 - t·t

assert dx.op.name == "add" and via_t.op.name == "mul" and local.op.name == "sub"
assert direct is t and upstream is x and one.data == 1.0
assert t_squared.op.name == "mul" and all(p is t for p in t_squared.parents)
assert math.isclose(local.data, 1 - t_**2, rel_tol=1e-15)
assert not any(v is y for v in engine.nodes(dx))  # y itself is not needed for dy/dx
assert [round(v.data, 4) for v in (t, t_squared, local, via_t, dx)] == [
    0.6044, 0.3653, 0.6347, 0.4443, 1.0487]  # the numbers in the table below

t_squared.label = "t²"
local.label = "∂t/∂x"
via_t.label = "dy/dt·∂t/∂x"
dx.label = "dy/dx"
engine.draw_dot(dx, show_grad=False)

# %% [markdown]
# Read it from left to right. Every node of the gradient's graph is one of four things:
#
# | node | what it is | value |
# |---|---|---:|
# | $x$, $t$ | values of the forward pass, reused | $0.7$, $0.6044$ |
# | $t^2$, $\partial t/\partial x$ | a local derivative, tanh's $1 - t^2$ | $0.3653$, $0.6347$ |
# | $dy/dt \cdot \partial t/\partial x$ | a chain-rule product | $0.4443$ |
# | $dy/dx$ | the sum over the paths | $1.0487$ |
#
# * **Forward values**: the gradient's graph is built on top of the function's graph,
#   and shares its nodes.
# * **Local derivatives**: tanh's $\partial t/\partial x = 1 - t^2$, written with ops on
#   Values instead of computed as a float, so that it stays connected to $x$.
# * **Chain-rule products**: the upstream gradient times the local derivative, here
#   $dy/dt = x$ times $\partial t/\partial x$.
# * **Sums**: the `+=` of the backward pass, one term per path from $y$ to $x$: $t$
#   (the direct path) plus the path through $t$.
#
# Notice what is missing: $y$ itself. The gradient needs the forward pass's intermediate
# values ($t$), not its result.

# %% [markdown]
# ## Differentiate again: the second derivative
#
# Since `dx` is a Value with a graph over $x$, `engine.grad(dx, [x])` is its derivative,
# $d^2y/dx^2$. By hand, with $dt/dx = 1 - t^2$:
#
# $$\frac{d^2y}{dx^2} = (1 - t^2) + (1 - t^2) + x \cdot (-2t)(1 - t^2) = 2\,(1 - t^2)(1 - x t)$$

# %%
(ddx,) = engine.grad(dx, [x])
by_hand = 2 * (1 - t_**2) * (1 - 0.7 * t_)
print(f"d²y/dx² = {ddx.data:.6f}   by hand: {by_hand:.6f}")
assert math.isclose(ddx.data, by_hand, rel_tol=1e-14)

# %% [markdown]
# ### Checked against finite differences
#
# Lesson 8's check works here too, one level up: the second derivative is the slope of
# the first, so nudge $x$ by $h$ both ways and measure how much $dy/dx$ changes. Or skip
# derivatives altogether and use three values of $y$:
#
# $$\frac{d^2y}{dx^2} \approx \frac{y'(x + h) - y'(x - h)}{2h} \qquad
# \frac{d^2y}{dx^2} \approx \frac{y(x + h) - 2\,y(x) + y(x - h)}{h^2}$$
#
# The second formula divides by $h^2$, so rounding errors grow faster as $h$ shrinks:
# it needs a larger $h$ ($10^{-4}$ rather than $10^{-6}$) and is less precise.


# %%
def f(v):
    return v * v.tanh() if isinstance(v, Value) else v * math.tanh(v)


def first_derivative(at):
    leaf = Value(at)
    return engine.grad(f(leaf), [leaf])[0].data


h = 1e-6  # try 1e-3: the nudge is then too coarse for the curvature
from_slopes = (first_derivative(0.7 + h) - first_derivative(0.7 - h)) / (2 * h)
h2 = 1e-4
from_values = (f(0.7 + h2) - 2 * f(0.7) + f(0.7 - h2)) / h2**2
expect("a finite difference of the gradient agrees with d²f/dx² to 1e-8",
       abs(from_slopes - ddx.data) < 1e-8, got=from_slopes, expected=ddx.data,
       settings={"h": 1e-6})
assert abs(from_values - ddx.data) < 1e-6

# %% [markdown]
# `engine.gradgradcheck(f, inputs)` runs the first of these for every pair of inputs: it
# compares each second derivative with a finite difference of the gradient, with the
# same tolerances as `gradcheck`, and raises `GradcheckError` with the table when one
# disagrees.

# %%
report = engine.gradgradcheck(lambda v: f(v[0]), [Value(0.7, "x")])
print(report)
assert report.ok and math.isclose(report.rows[0].analytic, ddx.data, rel_tol=1e-14)

# %% [markdown]
# ### It is an ordinary graph
#
# Nothing about `dx` is special: `dx.backward()` is a backward pass like any other, and
# it leaves $d(dy/dx)/dx$, the second derivative again, in `x.grad`. Drawn with its grads,
# each node now shows how much *the gradient* would change if that node changed. (We
# clear the grads first: $t$ and $x$ belong to both graphs.)
#
# Each order costs a bigger graph: the second derivative's graph is larger than the
# first's, which is larger than the function's. This is one reason second-order methods
# are expensive.

# %%
engine.zero_grad(dx)
dx.backward()
assert math.isclose(x.grad, ddx.data, rel_tol=1e-14)

(dx_again,) = engine.grad(y, [x], create_graph=True)
(ddx_graph,) = engine.grad(dx_again, [x], create_graph=True)
sizes = [len(list(engine.nodes(v))) for v in (y, dx_again, ddx_graph)]
print("Values in the graphs of y, dy/dx, d²y/dx²:", sizes)
assert sizes[0] < sizes[1] < sizes[2]
engine.draw_dot(dx)

# %% [markdown]
# ## Newton's method next to gradient descent
#
# Gradient descent only knows the slope: it steps $x \leftarrow x - \eta\, f'(x)$ with a
# learning rate $\eta$ we must choose. **Newton's method** also uses the curvature. It
# fits a parabola to $f$ at $x$ (same value, same slope $f'$, same curvature $f''$) and
# jumps to the bottom of that parabola:
#
# $$x \leftarrow x - \frac{f'(x)}{f''(x)}$$
#
# Steep slope and strong curvature: a careful step. Gentle curvature: a bold one. The
# step size comes from the function itself; there is no learning rate.
#
# Our test function is $f(x) = x - \ln x$ for $x > 0$. By hand: $f'(x) = 1 - 1/x$ and
# $f''(x) = 1/x^2$, so the minimum is at $x = 1$, where $f'' = 1$.
#
# * **Newton**: $x - (1 - 1/x)\,x^2 = 2x - x^2$. Write $x = 1 + e$, with $e$ the error:
#   the new point is $1 - e^2$, so the error **squares** each step ($0.75, 0.5625,
#   0.3164, 0.1001, 0.01, 10^{-4}, 10^{-8}$): the number of correct digits doubles.
# * **Gradient descent** with $\eta = 0.5$: near the minimum $f'(1 + e) \approx f''(1)\,
#   e = e$, so the error is multiplied by $1 - \eta f''(1) = 0.5$ each step: one binary
#   digit per step.
#
# Both start at $x = 0.25$ and stop when $|x - 1| < 10^{-10}$. Each Newton step takes
# $f'$ and $f''$ from two calls of `engine.grad`.


# %%
def loss_1d(v):
    return v - v.log()


def slope_and_curvature(func, at):
    leaf = Value(at)
    (slope,) = engine.grad(func(leaf), [leaf], create_graph=True)
    (curvature,) = engine.grad(slope, [leaf])
    return slope.data, curvature.data


def run(step, start, tol=1e-10, max_steps=200):
    path = [start]
    while abs(path[-1] - 1.0) >= tol and len(path) <= max_steps:
        path.append(step(path[-1]))
    return path


def newton_step(at, func=loss_1d):
    slope, curvature = slope_and_curvature(func, at)
    return at - slope / curvature


def gd_step(at, lr=0.5, func=loss_1d):
    leaf = Value(at)
    (slope,) = engine.grad(func(leaf), [leaf])  # the slope only: no graph needed
    return at - lr * slope.data


newton = run(newton_step, 0.25)
descent = run(gd_step, 0.25)
assert slope_and_curvature(loss_1d, 0.25) == (1 - 1 / 0.25, 1 / 0.25**2)  # f' = -3, f'' = 16

print("step   gradient descent   error       Newton            error")
for k in range(len(newton)):
    print(f"{k:4d}   {descent[k]:.12f}  {abs(descent[k] - 1):.1e}     "
          f"{newton[k]:.12f}  {abs(newton[k] - 1):.1e}")
print(f"steps to |x - 1| < 1e-10:  gradient descent {len(descent) - 1},  Newton {len(newton) - 1}")

# Newton, by hand: the error squares, e_k = -(0.75 ** 2**k)
for k, xk in enumerate(newton):
    assert abs(xk - (1 - 0.75 ** 2**k)) < 1e-15, k
assert len(newton) - 1 == 7  # 0.75 ** 2**6 = 1.0e-08 is not yet below 1e-10, 0.75 ** 2**7 is
# gradient descent, by hand: the error halves near the minimum, about log2(0.75 / 1e-10) steps
errors = [abs(xk - 1) for xk in descent]
assert all(abs(errors[k + 1] / errors[k] - 0.5) < 1e-4 for k in range(20, len(errors) - 1))
assert 33 <= len(descent) - 1 <= 40
assert len(descent) > 4 * len(newton)

# %% [markdown]
# On the left, the first steps on the curve: gradient descent's first step overshoots
# (the slope at 0.25 is steep, $-3$), then it creeps in from the right; Newton climbs
# up from the left in a few strides. On the right, the error on a log scale: a straight
# line for gradient descent (a constant factor per step), a curve that falls off a cliff
# for Newton.

# %%
shown = 6
chart = nn.Chart(cols=2, width=4.5, height=3.2)
left = chart.panel(title=f"the first {shown} points", xlabel="x", ylabel="f(x) = x - ln x")
right = chart.panel(title="distance to the minimum", xlabel="step", ylabel="|x - 1|", ylog=True)
grid = [0.15 + 1.85 * i / 199 for i in range(200)]
left.line(grid, [g - math.log(g) for g in grid], "f(x) = x - ln x", "lightgray", width=2)
for path, color, name in [(descent, "tab:orange", "gradient descent, η = 0.5"),
                          (newton, "tab:blue", "Newton")]:
    left.line(path[:shown], [p - math.log(p) for p in path[:shown]], name, color, dash=True,
              dots=True, width=0.7)
    right.line(range(len(path)), [abs(p - 1) for p in path], f"{name}: {len(path) - 1} steps",
               color, dots=True)
left.text(0.25, 0.25 - math.log(0.25), "start", dx=8, dy=2)
right.hline(1e-10, "stop: |x - 1| < 1e-10", "gray", dash=True)
chart.show()

# %% [markdown]
# ### What Newton trusts
#
# Newton's method believes the parabola. Far from the minimum the parabola can be a poor
# guide:
#
# * From $x = 2.5$ the parabola's bottom is at $2 \cdot 2.5 - 2.5^2 = -1.25$, where
#   $\ln x$ is not even defined. Gradient descent with a small step would simply walk
#   downhill.
# * Newton looks for a point where $f' = 0$, and a **maximum** is such a point. On
#   $g(x) = x^4 - 2x^2$ (minima at $\pm 1$, a hilltop at 0) the curvature at $x = 0.3$
#   is $g''(0.3) = 12 \cdot 0.09 - 4 = -2.92 < 0$: the parabola opens downwards and Newton
#   jumps to its top, converging to the hilltop $x = 0$. Gradient descent goes downhill to
#   the minimum at 1.
#
# Practical Newton methods guard against both (they check that the step went downhill,
# and make sure the curvature they use is positive).


# %%
def hill(v):
    return v**4 - 2 * v**2


assert newton_step(2.5) == -1.25
assert math.isclose(slope_and_curvature(hill, 0.3)[1], -2.92, rel_tol=1e-12)
to_the_top = [0.3]
for _ in range(8):
    to_the_top.append(newton_step(to_the_top[-1], func=hill))
downhill = [0.3]
for _ in range(100):
    downhill.append(gd_step(downhill[-1], lr=0.05, func=hill))
assert abs(to_the_top[-1]) < 1e-12 and abs(downhill[-1] - 1) < 1e-9

# %% [markdown]
# ## The Hessian of a two-parameter loss
#
# With several inputs the second derivatives form a matrix, the **Hessian**: $H_{ij} =
# \partial^2 L / \partial x_i \partial x_j$, how the $i$-th slope changes when the $j$-th
# input moves. `engine.hessian(f, inputs)` computes it: one pass builds the gradient's
# graph, then one backward pass over it per input gives one row.
#
# Our loss is lesson 3's: logistic regression $p = \sigma(w x + b)$ on the ten students,
# with the mean binary cross-entropy. Two parameters, $w$ and $b$.

# %%
hours = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
passed = [0, 0, 0, 0, 1, 0, 1, 1, 1, 1]


def loss(params):
    w, b = params
    total = 0.0
    for x_, y_ in zip(hours, passed, strict=True):
        p = (w * x_ + b).sigmoid()
        total = total + (-p.log() if y_ else -(1 - p).log())
    return total / len(hours)


def loss_float(w, b):  # the same loss on plain numbers: log(1 + e^z) - y z with z = w x + b
    return sum(math.log1p(math.exp(w * x_ + b)) - y_ * (w * x_ + b)
               for x_, y_ in zip(hours, passed, strict=True)) / len(hours)


assert math.isclose(loss([Value(1.0), Value(-2.0)]).data, loss_float(1.0, -2.0), rel_tol=1e-12)

# %% [markdown]
# ### Newton in two dimensions
#
# First we find the minimum, with Newton's method: the gradient $g$ and the Hessian $H$
# at the current point, and the step $s$ that solves $H s = -g$ (the bottom of the
# bowl-shaped quadratic that fits $L$ there). For a 2×2 system we can solve by hand:
#
# $$H = \begin{pmatrix} a & c \\ c & d \end{pmatrix} \qquad
# s = -\frac{1}{ad - c^2}\begin{pmatrix} d\,g_1 - c\,g_2 \\ a\,g_2 - c\,g_1 \end{pmatrix}$$
#
# Lesson 3 ran 3000 steps of gradient descent on this loss. Newton, from $w = b = 0$:


# %%
def gradient(params):
    leaves = [Value(v) for v in params]
    return [g.data for g in engine.grad(loss(leaves), leaves)]


point = [0.0, 0.0]
newton_path = [point]
while max(map(abs, gradient(point))) > 1e-12:
    (a, c), (_, d) = engine.hessian(loss, point)
    g1, g2 = gradient(point)
    det = a * d - c * c
    point = [point[0] - (d * g1 - c * g2) / det, point[1] - (a * g2 - c * g1) / det]
    newton_path.append(point)
w_star, b_star = point
print(f"{len(newton_path) - 1} Newton steps: w = {w_star:.6f}, b = {b_star:.6f}, "
      f"boundary -b/w = {-b_star / w_star:.6f} hours")
assert len(newton_path) - 1 == 7
assert math.isclose(-b_star / w_star, 2.75, rel_tol=1e-12)  # the symmetry of lesson 3

# %% [markdown]
# The decision boundary is at 2.75 hours, as lesson 3 argued from the symmetry of the
# data: to 12 digits this time, where lesson 3's gradient descent got within 0.01.
#
# ### The Hessian at the minimum, three ways
#
# By hand: the loss is a mean over students of a function of $z_i = w x_i + b$ whose
# slope is $p_i - y_i$ (lesson 3), and the slope of $p_i - y_i$ with respect to $z_i$ is
# $\sigma'(z_i) = p_i(1 - p_i)$. With $\partial z_i/\partial w = x_i$ and
# $\partial z_i/\partial b = 1$ (and no second derivatives of $z_i$, which is linear in
# $w$ and $b$):
#
# $$H = \frac{1}{N}\sum_i p_i(1 - p_i) \begin{pmatrix} x_i^2 & x_i \\ x_i & 1
# \end{pmatrix}$$
#
# Then `engine.hessian`, and, knowing no derivatives at all, finite differences of the
# loss itself: four values around the point for each entry,
#
# $$H_{ij} \approx \frac{L(+h_i, +h_j) - L(+h_i, -h_j) - L(-h_i, +h_j) + L(-h_i, -h_j)}{4h^2}$$

# %%
H = engine.hessian(loss, [w_star, b_star])
print("H =", [[round(v, 6) for v in row] for row in H])

ps = [1 / (1 + math.exp(-(w_star * x_ + b_star))) for x_ in hours]
weights = [p * (1 - p) / len(hours) for p in ps]
h_ww = sum(q * x_**2 for q, x_ in zip(weights, hours, strict=True))
h_wb = sum(q * x_ for q, x_ in zip(weights, hours, strict=True))
by_hand = [[h_ww, h_wb], [h_wb, sum(weights)]]


def second_difference(i, j, h=1e-4):
    def at(si, sj):
        shifted = [w_star, b_star]
        shifted[i] += si * h
        shifted[j] += sj * h
        return loss_float(*shifted)

    return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h)


for i in range(2):
    for j in range(2):
        assert math.isclose(H[i][j], by_hand[i][j], rel_tol=1e-12), (i, j)
        assert abs(H[i][j] - second_difference(i, j)) < 1e-6, (i, j)
assert engine.gradgradcheck(loss, [w_star, b_star]).ok

# %% [markdown]
# The Hessian is **symmetric**: $\partial^2 L/\partial w\,\partial b = \partial^2 L /
# \partial b\,\partial w$, for any smooth function, whichever order you take the
# derivatives in. `engine.hessian` gets the two entries from two different backward
# passes (row 0 differentiates $dL/dw$, row 1 differentiates $dL/db$), so this is a real
# check, not a copy. Rounding could make them differ in the last digit or so, so we
# compare them with a tolerance.

# %%
print(f"H[0][1] = {H[0][1]!r}\nH[1][0] = {H[1][0]!r}")
assert math.isclose(H[0][1], H[1][0], rel_tol=1e-12)

# %% [markdown]
# ### Curvature has directions: the eigenvectors
#
# How curved is the loss if we walk away from the minimum $\theta^* = (w^*, b^*)$ in
# direction $u$ (a unit vector)? Near the minimum, where the slope is 0,
# $L(\theta^* + s u) \approx L^* + \tfrac{1}{2}\, s^2\, u^\top H u$. The directions of
# strongest and weakest curvature are the **eigenvectors** of $H$, the directions $H$ only
# stretches, $H u = \lambda u$, and the curvatures along them are the **eigenvalues**
# $\lambda$.
#
# For a symmetric 2×2 matrix they have a closed form. With $m = (a + d)/2$ and $r =
# \sqrt{((a - d)/2)^2 + c^2}$:
#
# $$\lambda_{1,2} = m \pm r \qquad u_k \propto \begin{pmatrix} c \\ \lambda_k - a
# \end{pmatrix}$$
#
# (check: the first row of $(H - \lambda I)\,u$ is $(a - \lambda)c + c(\lambda - a) = 0$).

# %%
(a, c), (_, d) = H
m, r = (a + d) / 2, math.hypot((a - d) / 2, c)
eigen = []
for lam in (m + r, m - r):
    u = [c, lam - a]
    norm = math.hypot(*u)
    eigen.append((lam, [u[0] / norm, u[1] / norm]))
(steep, u_steep), (flat, u_flat) = eigen
print(f"λ = {steep:.4f} along u = ({u_steep[0]:.3f}, {u_steep[1]:.3f}),   "
      f"λ = {flat:.5f} along u = ({u_flat[0]:.3f}, {u_flat[1]:.3f})")

for lam, u in eigen:
    Hu = [a * u[0] + c * u[1], c * u[0] + d * u[1]]
    assert all(math.isclose(Hu[k], lam * u[k], rel_tol=1e-9, abs_tol=1e-15) for k in range(2))
assert abs(u_steep[0] * u_flat[0] + u_steep[1] * u_flat[1]) < 1e-12  # perpendicular
assert math.isclose(steep + flat, a + d) and math.isclose(steep * flat, a * d - c * c)
assert all(math.isclose((a - lam) * (d - lam), c * c, rel_tol=1e-9) for lam in (steep, flat))
assert flat > 0  # both curvatures positive: a true minimum, a bowl
# near the minimum, the loss along each eigenvector is the parabola L* + λ s² / 2
loss_star = loss_float(w_star, b_star)
for lam, u in eigen:
    s = 0.05
    rise = loss_float(w_star + s * u[0], b_star + s * u[1]) - loss_star
    assert math.isclose(rise, lam * s * s / 2, rel_tol=0.02)

# %% [markdown]
# The two curvatures are very different: $\lambda_1 / \lambda_2 \approx 174$. The flat
# direction is almost exactly $(1, -2.75)$, normalised: raise $w$ and lower $b$ by 2.75
# times as much, and the boundary $-b/w$ stays at 2.75 hours; only the S-curve gets
# steeper, which changes the loss very little. The steep direction changes the boundary.
#
# This is why gradient descent found this loss slow going in lesson 3. Its learning rate
# must suit the steep direction ($\eta < 2/\lambda_1 \approx 2.9$, or it overshoots
# more each step), and along the flat direction each step then removes only the fraction
# $\eta \lambda_2$ of the distance to the minimum: 0.2% per step with $\eta = 0.5$.
# Newton divides each direction by its own curvature and takes both in stride.

# %%
ratio = steep / flat
angle = math.degrees(math.acos(abs(u_flat[0] - 2.75 * u_flat[1]) / math.hypot(1, 2.75)))
print(f"λ1 / λ2 = {ratio:.0f};  angle between the flat direction and (1, -2.75): {angle:.2f}°")
assert 170 < ratio < 180 and angle < 1
assert 2.8 < 2 / steep < 3.0 and math.isclose(0.5 * flat, 0.002, rel_tol=0.02)

# %% [markdown]
# ### The picture
#
# Above, the whole valley of the loss, with $b$ across and $w$ up, on equal scales so that
# right angles look right. It is long and narrow. Newton's path from $(0, 0)$ reaches the
# minimum (★) in 7 steps. Gradient descent, with lesson 3's $\eta = 0.5$ from the same
# start, first moves up in $w$ (the steep direction), then crawls along the floor of the
# valley: the dots mark steps 10, 100, 300 and 1000.
#
# Below, a close-up of the minimum. The purple line is the contour where the loss is
# $0.02$ above its minimum; the dashed ellipse is where the Hessian's quadratic
# $\tfrac{1}{2} d^\top H d$ reaches $0.02$. The two red arrows are the eigenvectors, each
# drawn to that ellipse: along $u$ the length is $\sqrt{2 \cdot 0.02 / \lambda}$, short
# where the loss is steep, long where it is flat. Close to the minimum the ellipse and the
# contour agree; farther along the valley the loss is no longer a parabola and they part.

# %%
gd_path = [(0.0, 0.0)]
for _ in range(3000):
    gw, gb = gradient(gd_path[-1])
    gd_path.append((gd_path[-1][0] - 0.5 * gw, gd_path[-1][1] - 0.5 * gb))
assert math.isclose(-gd_path[-1][1] / gd_path[-1][0], 2.75, abs_tol=0.01)  # lesson 3's result
gd_distance = math.dist(gd_path[-1], (w_star, b_star))
assert 1e-3 < gd_distance < 1e-2  # close, but not at the minimum Newton found in 7 steps
assert math.dist(gd_path[300], (w_star, b_star)) > 1  # after 300 steps, far from it

level = 0.02
axes_lengths = [math.sqrt(2 * level / lam) for lam, _ in eigen]
theta = [2 * math.pi * k / 199 for k in range(200)]
ellipse = [(w_star + math.cos(t) * u_steep[0] * axes_lengths[0] + math.sin(t) * u_flat[0] * axes_lengths[1],
            b_star + math.cos(t) * u_steep[1] * axes_lengths[0] + math.sin(t) * u_flat[1] * axes_lengths[1])
           for t in theta]
for (lam, _), length in zip(eigen, axes_lengths, strict=True):  # ½ λ s² = 0.02 at each tip
    assert math.isclose(lam * length**2 / 2, level)


def loss_on_grid(b_range, w_range, steps=(240, 120)):
    """b across and w up, and the loss at every (b, w) of the grid: rows of constant w."""
    bs = [b_range[0] + (b_range[1] - b_range[0]) * i / (steps[0] - 1) for i in range(steps[0])]
    ws = [w_range[0] + (w_range[1] - w_range[0]) * j / (steps[1] - 1) for j in range(steps[1])]
    return bs, ws, [[loss_float(w, b) for b in bs] for w in ws]


chart = nn.Chart(width=8, height=3.2)
whole = chart.panel(title="the loss of lesson 3: a long, narrow valley", xlabel="b", ylabel="w",
                    xlim=(-12.5, 0.5), ylim=(-0.4, 4.6), equal=True, legend="lower left")
whole.contour(*loss_on_grid((-12.5, 0.5), (-0.4, 4.6)),
              levels=[loss_star + d for d in (0.005, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5)],
              label="contours of the loss")
whole.line([b for _, b in gd_path], [w for w, _ in gd_path],
           f"gradient descent, η = 0.5, {len(gd_path) - 1} steps", "tab:orange", width=1.2)
milestones = [10, 100, 300, 1000]
whole.points([gd_path[k][1] for k in milestones], [gd_path[k][0] for k in milestones],
             "after steps " + ", ".join(map(str, milestones)), "tab:orange", size=20)
for k in milestones:
    whole.text(gd_path[k][1], gd_path[k][0], str(k), "tab:orange")
whole.line([b for _, b in newton_path], [w for w, _ in newton_path],
           f"Newton, {len(newton_path) - 1} steps", "tab:blue", dash=True, dots=True, width=0.8)

close = chart.panel(title="close to the minimum: the eigenvectors of H", xlabel="b", ylabel="w",
                    xlim=(-11.6, -3.4), ylim=(1.3, 4.1), equal=True, legend="lower left")
near = loss_on_grid((-11.6, -3.4), (1.3, 4.1))
close.contour(*near, levels=[loss_star + d for d in (0.002, 0.005, 0.01, 0.04)],
              label="contours of the loss")
close.contour(*near, levels=[loss_star + level], label=f"loss = L* + {level:g}",
              colour="tab:purple", width=1.2)
close.line([b for _, b in ellipse], [w for w, _ in ellipse],
           f"Hessian's quadratic = L* + {level:g}", "tab:purple", dash=True, width=1.2)
for (lam, u), length, dx, dy in zip(eigen, axes_lengths, [6, -5], [0, -2], strict=True):
    tip = (b_star + length * u[1], w_star + length * u[0])
    close.arrow((b_star, w_star), tip, "eigenvectors of H, to the ellipse" if dx > 0 else None)
    close.text(*tip, f"λ = {lam:.3g}", "tab:red", dx=dx, dy=dy)
for panel in (whole, close):
    panel.points([b_star], [w_star], "the minimum (b*, w*)", "black", size=80, star=True)
chart.show()

# %% [markdown]
# ### Hessian-vector products
#
# Often we do not need the whole Hessian, only what it does to one vector, $H v$ (the
# curvature along $v$ is $v^\top H v$). `engine.hvp(f, inputs, v)` computes it as the
# gradient of $v \cdot \nabla f$: one backward pass over the gradient's graph, however
# many inputs there are. The full Hessian takes one backward pass *per input*: for a
# network with a million weights, a million passes (and $10^{12}$ numbers to store),
# which is why second-order methods for big models work with Hessian-vector products
# rather than with the Hessian itself.
#
# Applied to an eigenvector, `hvp` gives back the same direction, stretched by $\lambda$.

# %%
v = [1.0, -2.0]
Hv = engine.hvp(loss, [w_star, b_star], v)
assert all(math.isclose(Hv[i], H[i][0] * v[0] + H[i][1] * v[1], rel_tol=1e-12) for i in range(2))
for lam, u in eigen:
    assert all(math.isclose(got, lam * uk, rel_tol=1e-9, abs_tol=1e-15)
               for got, uk in zip(engine.hvp(loss, [w_star, b_star], u), u, strict=True))
print("H·v =", [round(x_, 6) for x_ in Hv])

# %% [markdown]
# ## ReLU and |x|: no curvature at all
#
# ReLU's derivative is a step: 0 on the left of the kink, 1 on the right. $|x|$'s is $-1$
# then $+1$. Each is constant on each side, so the second derivative is **0** everywhere
# except at the kink, where the slope jumps and no derivative exists (`gradgradcheck`
# says "kink" there rather than failing). In a ReLU network the curvature comes from the
# other ops (the loss, the products of weights), never from the ReLUs; and Newton's
# method on ReLU alone would divide by zero.

# %%
for op in (Value.relu, abs):
    for at in (-1.3, 0.4, 2.0):
        leaf = Value(at)
        (slope,) = engine.grad(op(leaf), [leaf], create_graph=True)
        (second,) = engine.grad(slope, [leaf])
        first = (1.0 if at > 0 else 0.0) if op is Value.relu else math.copysign(1.0, at)
        assert slope.data == first, (op, at)
        assert second.data == 0.0, (op, at)
at_the_kink = engine.gradgradcheck(lambda v: v[0].relu(), [0.0])
assert at_the_kink.ok and at_the_kink.rows[0].status == "kink"

# %% [markdown]
# **What to remember.** The backward pass is arithmetic, and done with Values it builds
# a graph: the gradient, made of the forward values, the local derivatives, their
# products and their sums. Differentiate that graph and you get second derivatives,
# the curvature. Newton's method divides the slope by the curvature and converges in a
# handful of steps where gradient descent takes dozens or thousands; the Hessian's
# eigenvectors show why, as the steep and flat directions of the valley. The price is a
# bigger graph and one backward pass per input, which is why big models settle for
# gradient descent and, at most, Hessian-vector products.
