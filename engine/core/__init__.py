"""The core of the engine: what micrograd's ``engine.py`` is, and nothing else.

Read this first: ``x * y`` to its gradient, in four files (about 100 lines), each
hop a name your editor's go-to-definition follows:

1. ``value.py``: ``Value.__init__`` (the fields: data, grad, parents, op) and
   ``Value.backward``;
2. ``operators.py``: ``Operators.__mul__``, which makes the product node with op
   ``MUL``, and ``MUL = OPS["mul"]._attach(backward=kernels.mul_backward, ...)``;
3. ``kernels.py``: ``mul_backward``, the chain rule at one product node;
4. ``autodiff.py``: ``backward``, which puts the nodes in order (``backward_order``
   and its ``visit``, micrograd's ``build_topo``) and runs each node's kernel, the
   root first.

Then, for the whole picture:

* ``ops.py``: the op table, every op's math written once as expressions;
* ``generate.py`` (through ``codegen.py``) writes ``operators.py`` and ``kernels.py``
  from the table; ``notation.py`` prints the same expressions as math;
* ``node.py`` (the fields' slots), ``mode.py`` (recording on or off, the scope),
  ``operands.py`` (numbers as constants, the errors ops raise), ``define.py`` (your own
  ops), ``higher.py`` (gradients of gradients).

The core imports nothing from the tools around it (``engine.check``, ``engine.show``,
``engine.compiler``).
"""
