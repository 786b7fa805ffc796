# %% [markdown]
# # 5. The guest-list network
#
# Back to the dinner party of lesson 1. Counting guests is not enough, because *who*
# comes matters. Three people might be invited: Aunt Agatha, who glares at anyone holding
# a glass (when she comes, nobody drinks); Aunt Dahlia, the life of the party; and your
# friend Stiffy. A guest list is three numbers, 1 for invited and 0 for not:
# `[Agatha, Dahlia, Stiffy]`, so `[0, 1, 1]` means Dahlia and Stiffy are coming.
#
# A straight line cannot capture "Agatha cancels everything", but a small network can:
# a hidden layer of three ReLU neurons, each noticing something about the guest list,
# and one ReLU output neuron that combines what they noticed into a number of bottles.
# A ReLU (rectified linear unit) passes a positive sum on unchanged and turns anything
# else into 0: $\text{ReLU}(n) = n$ for $n > 0$ and $0$ otherwise. (Lesson 11 sets it
# beside the step, the sigmoid and tanh.)

# %%
import itertools

import engine
import nn
from nn.lesson import expect

# %% [markdown]
# ## Typing in the trained network
#
# Someone already trained this network. Its weights, one row per neuron (weights for
# Agatha, Dahlia, Stiffy, then the bias):
#
# | neuron | Agatha | Dahlia | Stiffy | bias | what it notices |
# |---|---:|---:|---:|---:|---|
# | hidden 1 | 0 | 0 | 1 | 0 | Stiffy is here |
# | hidden 2 | 0 | 1.5 | 0.4 | -0.5 | Dahlia is here (and livens Stiffy up) |
# | hidden 3 | 1 | 0 | 0 | 0 | Agatha is here |
# | output | 0.5 | 2 | -5 | 1 | bottles |
#
# The output weights read like a story: Stiffy alone has half a bottle, Dahlia makes
# everyone drink more, Agatha's $-5$ wipes everything out, and the bias 1 is the bottle
# you drink yourself if nobody comes.

# %%
hidden_weights = [[0, 0, 1], [0, 1.5, 0.4], [1, 0, 0]]
hidden_biases = [0, -0.5, 0]
output_weights = [[0.5, 2, -5]]
output_biases = [1]

party = nn.MLP.from_weights(
    [hidden_weights, output_weights],
    [hidden_biases, output_biases],
    activation="relu",
    output_activation="relu",
)
print(party)
# the same network ships with the library
assert [[list(map(float, r)) for r in layer] for layer in [hidden_weights, output_weights]] \
    == nn.datasets.GUEST_LIST_WEIGHTS

# %% [markdown]
# ## All eight guest lists
#
# Let's work two of them out by hand first.
#
# * **Stiffy alone**, `[0, 0, 1]`: hidden 1 gives $\text{ReLU}(1) = 1$; hidden 2 gives
#   $\text{ReLU}(0.4 - 0.5) = 0$; hidden 3 gives 0. Output: $\text{ReLU}(0.5 \cdot 1 + 1) =
#   1.5$ bottles.
# * **Dahlia and Stiffy**, `[0, 1, 1]`: hidden 1 gives 1; hidden 2 gives $1.5 + 0.4 - 0.5
#   = 1.4$; hidden 3 gives 0. Output: $0.5 \cdot 1 + 2 \cdot 1.4 + 1 = 4.3$ bottles.
#
# The other six go the same way. Nobody invited: 1 bottle. Dahlia alone: $2 \cdot 1 + 1 =
# 3$. Any list with Agatha: the $-5$ drags the sum below zero and the ReLU outputs 0.

# %%
by_hand = {
    "nobody": 1.0,
    "Stiffy": 1.5,
    "Dahlia": 3.0,
    "Dahlia + Stiffy": 4.3,
    "Agatha": 0.0,
    "Agatha + Stiffy": 0.0,
    "Agatha + Dahlia": 0.0,
    "Agatha + Dahlia + Stiffy": 0.0,
}


def name(guest_list):
    invited = [who for who, here in zip(nn.datasets.GUESTS, guest_list) if here]
    return " + ".join(invited) or "nobody"


guest_lists = [list(bits) for bits in itertools.product((0, 1), repeat=3)]
print(f"{'guest list':>26}  {'[A, D, S]':9}  bottles")
for guests in guest_lists:
    bottles = party(guests).data
    print(f"{name(guests):>26}  {str(guests):9}  {bottles:.2f}")
    assert abs(bottles - by_hand[name(guests)]) < 1e-12, name(guests)

# %% [markdown]
# ## Inside one evaluation
#
# Here is the graph for Dahlia and Stiffy, after `backward()`. The boxes are grouped by
# neuron (we pass the guests in as Values with names, so the inputs are labelled). Look
# at the grads of the weights: they say how much the answer (4.3 bottles) would change per
# unit change of each weight. Agatha's neuron outputs 0 here, on the flat side of its
# ReLU, so its weights get no blame at all, even though the output neuron weighs it by
# $-5$; the busy neurons get all of it. This is the "blame game" of backpropagation: the
# more a neuron contributed, the more its weights are adjusted.

# %%
guests = [engine.Value(here, label=who) for who, here in zip(nn.datasets.GUESTS, [0, 1, 1])]
bottles = party(guests)
bottles.label = "bottles"
bottles.backward()
assert abs(bottles.data - 4.3) < 1e-12
agatha_neuron = party.layers[0].neurons[2]
assert all(p.grad == 0.0 for p in agatha_neuron.parameters())
assert party.layers[1].neurons[0].w[1].grad == 1.4  # d bottles / d weight = hidden 2's output
engine.draw_dot(bottles)

# %% [markdown]
# ## Learning the weights from scratch
#
# Could gradient descent find such weights by itself? We take the same architecture with
# random weights, and the eight guest lists with the bottles above as targets, and
# minimise the mean squared error.

# %%
X, y = nn.datasets.guest_lists()
assert y == [by_hand[name(x)] for x in X]

seed, lr, epochs = 2, 0.05, 1000  # the random start and the training: try others
student = nn.MLP(3, [3, 1], activation="relu", output_activation="relu", seed=seed)
history = nn.fit(student, X, y, loss="mse", lr=lr, epochs=epochs)
print(history)
SETTINGS = {"seed": 2, "lr": 0.05, "epochs": 1000}
expect("training from scratch gets the loss below 0.0001", history.loss[-1] < 1e-4,
       got=history.loss[-1], expected="< 0.0001", settings=SETTINGS)

learned = student.predict(X)
for x, target, guess in zip(X, y, learned):
    print(f"{name(x):>26}: article {target:.2f}, learned {guess:.3f}")
miss = max(abs(a - b) for a, b in zip(learned, y))
expect("the learned network matches the article's bottles to 0.01", miss < 0.01, got=miss,
       expected="< 0.01", settings=SETTINGS)

# %% [markdown]
# The predictions match, but look at the weights: they are not the article's. There are
# many ways to weigh the guests that give the same eight answers (swapping two hidden
# neurons, for a start, changes nothing). Training finds *a* good answer, not *the*
# answer.

# %%
for i, layer in enumerate(student.layers):
    for j, neuron in enumerate(layer.neurons):
        weights = ", ".join(f"{w.data:6.2f}" for w in neuron.w)
        print(f"layer {i} neuron {j}: weights [{weights}], bias {neuron.b.data:6.2f}")

chart = nn.Chart(cols=2, width=4, height=3.8)
left = chart.panel(title="the eight guest lists", xlabel="who comes", ylabel="bottles", width=2)
left.bars([name(x).replace(" + ", "\n+ ") for x in X],
          {"article's network": y, "learned from scratch": learned},
          numbers_on_top=True)  # so the lists that get 0 bottles show it
right = chart.panel(title="training loss", xlabel="epoch",
                    ylabel="mean squared error (log scale)", ylog=True)
right.line(history.epochs, history.loss, "the learned network", "tab:orange")
chart.show()

# %% [markdown]
# ## When training gets stuck: dead ReLUs
#
# Not every random start ends this well (if you tried another `seed` above, you may have
# met one already). Let's try twelve. (`compile=True` makes `fit`
# trace the training step once and replay it as plain Python: same numbers, faster.)

# %%
finals = {}
for seed in range(12):
    model = nn.MLP(3, [3, 1], activation="relu", output_activation="relu", seed=seed)
    history = nn.fit(model, X, y, loss="mse", lr=0.05, epochs=1000, progress=False, compile=True)
    finals[seed] = history.loss[-1]
    print(f"seed {seed:2d}: final loss {finals[seed]:.6f}")

answer_zero = sum(t * t for t in y) / len(y)  # the loss of a network that always says 0
stuck = [s for s, loss in finals.items() if abs(loss - answer_zero) < 1e-9]
print(f"stuck at {answer_zero}:", stuck)
assert abs(answer_zero - 3.8425) < 1e-12
assert stuck and len(stuck) < 12

# %% [markdown]
# Several starts stop at exactly 3.8425. That number is the mean of the squared targets,
# $(1^2 + 1.5^2 + 3^2 + 4.3^2)/8$: the loss of a network that answers 0 for every guest
# list. What happened? The output neuron's weighted sum went negative for all eight
# lists, so its ReLU outputs 0, and the ReLU's slope there is 0 too. Zero slope means zero
# gradient for every weight behind it, so gradient descent cannot move and the neuron
# stays "dead" forever.

# %%
dead = nn.MLP(3, [3, 1], activation="relu", output_activation="relu", seed=stuck[0])
nn.fit(dead, X, y, loss="mse", lr=0.05, epochs=1000, progress=False)
assert dead.predict(X) == [0.0] * 8
loss = nn.mse([dead(x) for x in X], y)
dead.zero_grad()
loss.backward()
print("loss", round(loss.data, 6), " largest |grad|:", max(abs(p.grad) for p in dead.parameters()))
assert all(p.grad == 0.0 for p in dead.parameters())

# %% [markdown]
# Seed 3 is stuck in a milder way, at exactly 0.02: two of its three hidden neurons died,
# and one neuron alone can only fit a flat plane through the four lists without Agatha,
# which misses each of them by 0.2 bottles ($4 \times 0.2^2 / 8 = 0.02$).

# %%
assert abs(finals[3] - 4 * 0.2**2 / 8) < 1e-6

# %% [markdown]
# Remedies people use: try another random start, make the output neuron linear (no ReLU,
# so it always passes a gradient back), or use an activation that is never completely
# flat.
#
# **What to remember.** A network is neurons feeding neurons; each hidden neuron learns a
# feature ("is Agatha here?") and the output combines them. Backpropagation hands each
# weight its share of the blame. Next: the same computation written with matrices.
