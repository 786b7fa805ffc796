"""Showing a graph: drawing it (``draw``, with a ``dot`` program found by ``dot_exe``),
the roles that colour leaves (``tags``), and backprop one step at a time (``stepper``,
with its offline HTML page in ``stepper_html``, whose nodes ``node_panel`` makes
clickable). Practice mode (``practice``) hides the grads for the learner to find and
checks them, from a Value's grad written as its sum of uses (``chain``); in Jupyter a
form (``practice_form``), offline a page (``practice_html``; in assignment mode, with
no answers in it, ``assignment_html``). Everything here only
looks: no ``.grad`` changes because something was drawn, listed or practised.
"""
