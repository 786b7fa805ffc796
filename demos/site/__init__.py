"""The lessons as a static website that runs in the browser (JupyterLite + Pyodide).

``.uv/bin/uv run --group site python -m demos.site build site/`` writes it; see
``build.py`` for the steps and the README's "Lessons in the browser".
"""
