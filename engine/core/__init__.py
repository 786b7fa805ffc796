"""The core of the engine: what micrograd's ``engine.py`` is, and nothing else.

Read it in this order:

1. ``mode.py``: the two switches every op reads (recording the graph, the scope).
2. ``node.py``: what a graph node holds.
3. ``ops.py``: the op table, every op's math written once.
4. ``value.py``: ``Value`` and its operators (``x * y`` builds a node).
5. ``kernels.py``: each op's local derivatives and its chain rule at one node.
6. ``autodiff.py``: the topological order and the one backward pass.

``value.py``'s operators and ``kernels.py`` are written from the table by
``generate.py`` (through ``codegen.py``); ``notation.py`` prints the table's
expressions as math, ``define.py`` adds your own ops. The core imports nothing from
the tools around it (``engine.check``, ``engine.show``, ``engine.compiler``).
"""
