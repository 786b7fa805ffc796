# %% [markdown]
# # 6. Forward propagation as matrices
#
# So far we computed networks one neuron at a time: each neuron multiplies its inputs by
# its weights, adds them up with its bias, and applies its activation. When a layer has
# many neurons, all doing this to the same inputs, there is a tidier way to write it:
# stack the weights into a matrix.
#
# Our network: **five inputs**, a first hidden layer of **two** neurons, a second hidden
# layer of **two** neurons and **one** output neuron, all with the sigmoid activation.
# We compute it both ways, neuron by neuron with gradstep's Values and layer by layer
# with matrices, and check that the numbers agree.

# %%
import math
import random

import engine
import nn

net = nn.MLP(5, [2, 2, 1], activation="sigmoid", output_activation="sigmoid")
# biases start at 0; give every parameter a random two-digit value so each one shows
rng = random.Random(4)
for p in net.parameters():
    p.data = round(rng.uniform(-1, 1), 2)
print(net)
assert net.num_parameters() == (5 * 2 + 2) + (2 * 2 + 2) + (2 * 1 + 1) == 21

# %% [markdown]
# ## One neuron, written out
#
# Take one example with five input numbers. The first neuron of the first hidden layer
# computes
#
# $$z_1 = w_{1,1} x_1 + w_{2,1} x_2 + w_{3,1} x_3 + w_{4,1} x_4 + w_{5,1} x_5 + b_1,
# \qquad a_1 = \sigma(z_1)$$
#
# where $w_{a,b}$ is the weight on the connection from input $a$ to neuron $b$. Ten
# connections lead from the five inputs into the two neurons, so this layer has ten
# weights and two biases.

# %%
x = [0.5, -1.2, 3.0, 0.8, -0.4]
first = net.layers[0].neurons[0]
z1 = sum(w.data * xi for w, xi in zip(first.w, x)) + first.b.data
a1 = 1 / (1 + math.exp(-z1))
print(f"z1 = {z1:.6f}, a1 = sigmoid(z1) = {a1:.6f}")

hidden = net.layers[0]([engine.Value(v) for v in x])  # the same layer, with Values
assert abs(hidden[0].data - a1) < 1e-15

# %% [markdown]
# ## A whole layer at once: $Z = W X + b$
#
# Put each neuron's weights in one **row** of a matrix $W$: the first layer's $W$ has 2
# rows (one per neuron) and 5 columns (one per input). Put the inputs in a column $X$
# and the biases in a column $b$. Then one matrix product gives every neuron's sum:
#
# $$Z = W X + b, \qquad A = \sigma(Z)$$
#
# For a layer with $n$ neurons fed by $m$ numbers, $W$ is $n \times m$, $X$ is $m \times 1$
# and $Z$ is $n \times 1$. A matrix here is a list of rows. Entry $(i, j)$ of the product
# $W X$ is row $i$ of $W$ times column $j$ of $X$, added up: `matmul` below, three lines.
# (numpy's `W @ X` computes the same, much faster.)

# %%
def matmul(A, B):
    """The matrix product A B: row i of A times column j of B, summed, at (i, j)."""
    return [[sum(a * b for a, b in zip(row, column)) for column in zip(*B)] for row in A]


def plus_bias(Z, b):
    """Z with the bias column b added to each of its columns."""
    return [[z + bias for z in row] for row, (bias,) in zip(Z, b)]


def sigmoid(Z):
    return [[1 / (1 + math.exp(-z)) for z in row] for row in Z]


def shape(M):
    return len(M), len(M[0])


def matrices(layer):
    W = [[w.data for w in neuron.w] for neuron in layer.neurons]
    b = [[neuron.b.data] for neuron in layer.neurons]
    return W, b


params = [matrices(layer) for layer in net.layers]
for i, (W, b) in enumerate(params):
    print(f"layer {i}: W is {shape(W)[0]}x{shape(W)[1]}, b is {shape(b)[0]}x1")
assert [shape(W) for W, _ in params] == [(2, 5), (2, 2), (1, 2)]

X = [[v] for v in x]  # a column: five rows of one number
Z = plus_bias(matmul(params[0][0], X), params[0][1])
print("Z of layer 0:", [row[0] for row in Z], " first entry is z1:", abs(Z[0][0] - z1) < 1e-12)
assert abs(Z[0][0] - z1) < 1e-12

# %% [markdown]
# Here is that product as a picture: the $2 \times 5$ weights, the five inputs, the two
# biases, and the two sums $Z$. Row $i$ of $W$ holds the weights into neuron $i$, column
# $j$ the weights of input $j$. Colour shows sign and size, on one scale for all four (the
# colour bar): red positive, blue negative, paler nearer 0.

# %%
W, b = params[0]
panels = {"W, the weights": (W, "input j", "neuron i"), "X, the inputs": (X, "5 × 1", "input j"),
          "b, the biases": (b, "2 × 1", "neuron i"), "Z = W X + b": (Z, "2 × 1", "neuron i")}
limit = max(abs(v) for M, _, _ in panels.values() for row in M for v in row)  # one scale for all
chart = nn.Chart(cols=4, width=1.4, height=2.9, colorbar="value")
for (title, (M, xlabel, ylabel)), width in zip(panels.items(), [5, 1, 1, 1]):
    panel = chart.panel(title=title, xlabel=xlabel, ylabel=ylabel, width=width)
    panel.heatmap(M, -limit, limit, signed=True, numbers_in_cells=True)
chart.show()

# %% [markdown]
# ## Layer after layer: forward propagation
#
# Each layer's activations are the next layer's inputs. Repeating $A = \sigma(W A + b)$
# through the three layers carries the input forward to the prediction:
#
# $$\hat y = \sigma(W^3\,\sigma(W^2\,\sigma(W^1 X + b^1) + b^2) + b^3)$$


# %%
def forward(X):
    A = X
    for W, b in params:
        A = sigmoid(plus_bias(matmul(W, A), b))
    return A


prediction = forward(X)[0][0]
with_values = net(x)
print(f"matrices: {prediction:.15f}\nValues:   {with_values.data:.15f}")
assert abs(prediction - with_values.data) < 1e-12

# %% [markdown]
# The Value version did the same arithmetic one multiplication at a time, and kept every
# step as a node of a graph so that `backward()` can walk it later. Here it is (boxes
# grouped by layer and neuron):

# %%
engine.draw_dot(with_values, show_grad=False)

# %% [markdown]
# ## Many examples at once, and the MSE
#
# Put several examples side by side as the columns of $X$ (now $5 \times 4$). The same
# formula handles them all: $W X$ is $2 \times 4$, and `plus_bias` adds the bias column to
# every column. Then the **mean squared error** over the examples, the cost we want small:
#
# $$\text{MSE} = \frac{1}{N}\sum_{i=1}^{N} (\hat y_i - y_i)^2$$

# %%
samples = [
    [0.5, -1.2, 3.0, 0.8, -0.4],
    [1.0, 0.0, -2.0, 0.3, 1.5],
    [-0.7, 2.2, 0.1, -1.0, 0.0],
    [2.0, 1.0, 1.0, 1.0, -2.0],
]
targets = [0.9, 0.1, 0.5, 0.7]

X = [list(column) for column in zip(*samples)]  # one column per example
Y_hat = forward(X)
print("X is", shape(X), "-> predictions", shape(Y_hat), [round(v, 4) for v in Y_hat[0]])
mse_matrix = sum((p - t) ** 2 for p, t in zip(Y_hat[0], targets)) / len(targets)

outputs = [net(s) for s in samples]
mse_values = nn.mse(outputs, targets)
print(f"MSE with matrices: {mse_matrix:.12f}\nMSE with Values:   {mse_values.data:.12f}")
assert all(abs(p - o.data) <= 1e-12 for p, o in zip(Y_hat[0], outputs, strict=True))
assert abs(mse_matrix - mse_values.data) < 1e-12

# %% [markdown]
# The two agree to the last digits. Matrices are how real libraries run networks fast:
# one big multiplication instead of thousands of small ones. gradstep keeps every scalar
# separate on purpose, so you can see (and draw, and step through) each one. The counts
# show the difference: four examples through a 21-parameter network made this many Values.

# %%
order, leaves = engine.topological_order(mse_values)
print(f"{len(order)} Values computed by ops, {len(leaves)} leaves "
      f"(21 parameters, {4 * 5} inputs, and the constants)")
assert len(order) > 100

# %% [markdown]
# **What to remember.** A layer is a matrix of weights: row $j$ holds neuron $j$'s
# weights. Forward propagation is $A \leftarrow \sigma(W A + b)$, layer after layer, and
# it computes exactly what the neurons compute one by one. Next: a real classification
# problem.
