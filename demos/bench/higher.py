"""The cost of gradients as values: ``engine.grad`` against ``backward()``, and the Hessian.

Two measurements, medians over repeats on graphs built once:

* ``engine.grad(root, leaves)`` (no graph of the gradient) against ``root.backward()``
  on the same graph: grad runs the same backward pass and puts every ``.grad`` back.
* ``engine.hessian(f, xs)`` for n inputs against one backward pass over the gradient's
  graph: the Hessian needs one such pass per input (plus building that graph once), so
  the ratio should be about n.

``python -m demos.bench.higher`` prints the table; ``demos.bench.benchmark`` prints it too.
"""

from __future__ import annotations

import argparse

import engine
from demos.bench.demo_step import median_seconds
from engine import Value


def grad_vs_backward(n: int, repeats: int) -> list[tuple[str, float, float]]:
    """(graph, backward seconds, grad seconds) for the benchmark's chain and wide sum."""
    rows = []
    chain_leaf = Value(0.5)
    chain = chain_leaf
    for _ in range(n):
        chain = chain * 1.0001 + 0.0001
    wide_leaves = [Value(i / n) for i in range(n)]
    wide = engine.sum(x * x for x in wide_leaves)
    for name, root, leaves in (
        (f"chain, N = {n:,}", chain, [chain_leaf]),
        (f"sum of {n:,} products", wide, wide_leaves),
    ):
        back = median_seconds(root.backward, repeats)
        grad = median_seconds(lambda root=root, leaves=leaves: engine.grad(root, leaves), repeats)
        rows.append((name, back, grad))
    return rows


def loss(xs: list[Value]) -> Value:
    """A smooth function of n inputs with every pair coupled: sum of tanh(x_i * x_j) + x_i²."""
    terms = [(a * b).tanh() for i, a in enumerate(xs) for b in xs[i + 1 :]]
    return engine.sum(terms + [x * x for x in xs])


def hessian_cost(n: int, repeats: int) -> tuple[float, float]:
    """(seconds for the Hessian, seconds for one backward over the gradient's graph)."""
    point = [0.1 * (i + 1) for i in range(n)]
    hessian = median_seconds(lambda: engine.hessian(loss, point), repeats)
    xs = [Value(x) for x in point]
    first = engine.grad(loss(xs), xs, create_graph=True)
    one_pass = median_seconds(lambda: engine.grad(first[0], xs), repeats)
    return hessian, one_pass


def table(quick: bool = False) -> str:
    n = 2_000 if quick else 100_000
    repeats = 3 if quick else 9
    lines = ["graph | backward() ms | engine.grad ms | grad / backward"]
    for name, back, grad in grad_vs_backward(n, repeats):
        lines.append(f"{name} | {back * 1e3:.2f} | {grad * 1e3:.2f} | {grad / back:.2f}x")
    inputs = 4 if quick else 12
    hessian, one_pass = hessian_cost(inputs, repeats)
    lines += [
        "",
        f"Hessian of {inputs} inputs | one backward over the gradient graph ms | Hessian ms "
        "| Hessian / one pass",
        f"sum of tanh(x_i x_j) + x_i² | {one_pass * 1e3:.2f} | "
        f"{hessian * 1e3:.2f} | {hessian / one_pass:.1f}x (n = {inputs})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m demos.bench.higher", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    print(table(parser.parse_args(argv).quick))


if __name__ == "__main__":
    main()
