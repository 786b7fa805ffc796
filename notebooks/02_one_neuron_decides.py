# %% [markdown]
# # 2. One neuron decides
#
# A neuron is a tiny decision maker. It takes some inputs, weighs each one by how much it
# matters, adds them up, and passes the total through an **activation function** that
# turns it into a decision. In this lesson we type in two neurons from everyday life and
# look at three activation functions.

# %%
import engine
import nn
from engine import Value

# %% [markdown]
# ## Should I go to the concert?
#
# Three yes-or-no questions (1 = yes, 0 = no) and how much each one matters:
#
# | question | weight |
# |---|---:|
# | Will I have money for snacks? | 1 |
# | Can my partner come? | 4 |
# | Do I feel like driving? | 3 |
#
# We go when the weighted sum is **more than the threshold 6**. Say there is no money for
# snacks, but the partner can come and we feel like driving: $0\cdot1 + 1\cdot4 + 1\cdot3 =
# 7$, and $7 > 6$, so we go.

# %%
weights = [1, 4, 3]
threshold = 6
answers = [0, 1, 1]  # snacks? partner? driving?

total = sum(w * x for w, x in zip(weights, answers))
decision = 1 if total > threshold else 0
print(f"weighted sum = {total}, decision = {decision}")
assert total == 7 and decision == 1

# %% [markdown]
# ## The threshold becomes a bias
#
# "More than 6" is the same as "the sum minus 6 is more than 0". Neural networks write it
# the second way: the neuron has a **bias** $b = -\text{threshold}$, and a **step**
# activation that outputs 1 for a positive input and 0 otherwise:
#
# $$\text{decision} = \text{step}(w_1 x_1 + w_2 x_2 + w_3 x_3 + b)$$
#
# `nn.Neuron.from_weights` types a neuron in by hand; `threshold=6` sets $b = -6$.

# %%
concert = nn.Neuron.from_weights([1, 4, 3], threshold=6, activation="step")
print(concert)
assert [w.data for w in concert.w] == [1.0, 4.0, 3.0] and concert.b.data == -6.0

out = concert([0, 1, 1])
print("decision for [0, 1, 1]:", out.data)
assert out.data == 1.0

# %% [markdown]
# The neuron is built from Values, so we can draw what it computed: each input times its
# weight, one sum with the bias, then the step.

# %%
engine.draw_dot(out, show_grad=False)

# %% [markdown]
# With three yes/no questions there are only eight situations. Let's ask the neuron about
# all of them. Only two lead to the concert: the partner must come *and* we must feel like
# driving ($4 + 3 = 7$); snacks alone never tip the balance.

# %%
print("snacks partner driving | sum - 6 | go?")
going = []
for snacks in (0, 1):
    for partner in (0, 1):
        for driving in (0, 1):
            x = [snacks, partner, driving]
            z = sum(w * v for w, v in zip(weights, x)) - threshold
            go = concert(x).data
            print(f"  {snacks}       {partner}       {driving}     |  {z:3d}    | {go:.0f}")
            assert go == (1.0 if z > 0 else 0.0)
            if go:
                going.append(x)
assert going == [[0, 1, 1], [1, 1, 1]]

# %% [markdown]
# ## Should I go to the party?
#
# A second neuron, with two inputs: am I tired ($x_0$), and is my best friend going
# ($x_1$)? Being tired matters far more than the friend, so $w_0 = -10$ and $w_1 = 1$.
# This time the activation is **linear**: the output is just the weighted sum, and we go
# when it is above 0.

# %%
party = nn.Neuron.from_weights([-10, 1], bias=0, activation="linear")
for tired, friend in [(1, 1), (0, 1), (0, 0)]:
    print(f"tired={tired} friend={friend}: output {party([tired, friend]).data:+.0f}")

assert party([1, 1]).data == -9.0  # tired: never, even with the friend there
assert party([0, 1]).data == 1.0  # rested and the friend comes: go
assert party([0, 0]).data == 0.0  # exactly on the boundary: a coin toss

# %% [markdown]
# ### A bias shifts the boundary
#
# Now let $x_1$ count *how many* friends are going, and say we like parties in general: a
# bias $b = 2$. Tired still hurts ($w_0 = -4$), each friend helps ($w_1 = 1$). How many
# friends does it take to get us out of the house when tired? With the bias, three:
# $-4 + 3 + 2 = 1 > 0$. Without it, five: $-4 + 5 + 0 = 1$ (four friends leave us exactly
# on the boundary).

# %%
def friends_needed(neuron, tired=1):
    return next(n for n in range(20) if neuron([tired, n]).data > 0)


social = nn.Neuron.from_weights([-4, 1], bias=2, activation="linear")
homebody = nn.Neuron.from_weights([-4, 1], bias=0, activation="linear")
print("tired, with bias 2:   ", friends_needed(social), "friends")
print("tired, without a bias:", friends_needed(homebody), "friends")
assert social([1, 3]).data == 1.0 and homebody([1, 5]).data == 1.0
assert friends_needed(social) == 3 and friends_needed(homebody) == 5
assert friends_needed(social, tired=0) == 0  # rested, we go even alone

# %% [markdown]
# ## Three activation functions
#
# * **linear**: the output is the sum itself, any number at all;
# * **step**: 1 above zero, 0 otherwise, a hard yes or no;
# * **sigmoid** $\sigma(z) = 1/(1 + e^{-z})$: squashes any number into $(0, 1)$, so it
#   reads as a probability. Very negative sums give almost 0, very positive almost 1.
#
# The dashed lines are each function's slope, computed by `backward()`. This is why
# networks are trained with smooth activations: the step's slope is 0 everywhere, so a
# small change in a weight never changes its output, and gradient descent has nothing to
# follow. The sigmoid always has a slope to follow, largest at 0.

# %%
def curve(name, z):
    x = Value(z)
    y = x if name == "linear" else getattr(x, name)()
    y.backward()
    return y.data, x.grad


zs = [-6 + 0.05 * i for i in range(241)]
formulas = {"linear": "z", "step": "1 if z > 0 else 0", "sigmoid": "1 / (1 + e⁻ᶻ)"}
chart = nn.Chart(cols=3, width=4, height=3.4)
for name, formula in formulas.items():
    ys, slopes = zip(*(curve(name, z) for z in zs))
    panel = chart.panel(title=f"{name}: {formula}", xlabel="z = w·x + b",
                        ylabel="output, and slope", legend="upper left",
                        ylim=None if name == "linear" else (-0.1, 1.1))
    panel.line(zs, ys, f"{name}(z)", "tab:blue")
    panel.line(zs, slopes, "its slope, from backward()", "tab:orange", dash=True)
    panel.hline(0).vline(0, colour="lightgray", dash=False)
chart.show()

assert curve("step", 0.5) == (1.0, 0.0) and curve("step", -0.5) == (0.0, 0.0)
assert curve("sigmoid", 0.0) == (0.5, 0.25)  # σ(0) = 1/2, σ'(0) = σ(1 - σ) = 1/4
assert curve("linear", 3.0) == (3.0, 1.0)

# %% [markdown]
# ### From a decision to a probability
#
# Someone else is trying to guess whether we will come to the party. They would rather
# have a probability than a yes or no, so they put the same weighted sum through a
# sigmoid. Tired, with three friends going, the sum is $1$ and the probability is
# $\sigma(1) \approx 0.73$; with no friends it drops to $\sigma(-2) \approx 0.12$.

# %%
guesser = nn.Neuron.from_weights([-4, 1], bias=2, activation="sigmoid")
for friends in range(6):
    print(f"tired, friends going: {friends}  P(go) = {guesser([1, friends]).data:.3f}")
assert abs(guesser([1, 3]).data - 0.7311) < 1e-4
assert abs(guesser([1, 0]).data - 0.1192) < 1e-4

# %% [markdown]
# **What to remember.** A neuron computes $f(w \cdot x + b)$: weights say how much each
# input matters, the bias is the threshold moved to the other side, and the activation
# $f$ shapes the answer. Next: train a sigmoid neuron from data instead of typing its
# weights in.
