"""Showing a graph: drawing it (``draw``, with a ``dot`` program found by ``dot_exe``),
the roles that colour leaves (``tags``), and backprop one step at a time (``stepper``,
with its offline HTML page in ``stepper_html``). Everything here only looks: no
``.grad`` changes because something was drawn or listed.
"""
