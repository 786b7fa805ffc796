"""No module of ``engine`` or ``nn`` uses another module's private names.

A leading underscore says "this module's own business": free to change without notice,
and not part of what a reader of another file needs to know. A helper that two modules
share has a public name in the module of its concept. The check reads every file's
syntax tree and refuses two forms:

* ``from X import _name`` (a private name brought in from another module);
* ``X._name`` where ``X`` is a module bound by an import (``import X``,
  ``import a.b as X``, ``from pkg import X``).

Private attributes of objects (``self._x``, ``node._parents``) are a class's business,
not a module's, and are not checked here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "nn")


@dataclass(frozen=True)
class PrivateUse:
    """One use of another module's private name: where, which name, from which module."""

    path: str
    line: int
    name: str
    module: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.name} (private to {self.module})"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _resolved(node: ast.ImportFrom, here: str, package: bool) -> str:
    """The absolute module an ``ImportFrom`` reads from (``from ..core import x``)."""
    if not node.level:
        return node.module or ""
    base = here.split(".")
    base = base if package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module of this repository or an importable one."""
    path = ROOT.joinpath(*dotted.split("."))
    if path.with_suffix(".py").exists() or (path / "__init__.py").exists():
        return True
    if dotted.split(".")[0] in PACKAGES:
        return False  # a name defined inside one of our modules, not a module
    try:
        import importlib.util

        return importlib.util.find_spec(dotted) is not None
    except (ImportError, ValueError):
        return False


def private_uses(source: str, path: Path) -> list[PrivateUse]:
    """Every use in ``source`` (the file at ``path``) of another module's private name."""
    here, package = _module_name(path), _is_package(path)
    where = path.relative_to(ROOT).as_posix()
    tree = ast.parse(source, filename=where)
    modules: dict[str, str] = {}  # a name bound to a module -> that module
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                modules[bound] = alias.name if alias.asname else bound
        elif isinstance(node, ast.ImportFrom):
            source_module = _resolved(node, here, package)
            for alias in node.names:
                if _private(alias.name):
                    uses.append(PrivateUse(where, node.lineno, alias.name, source_module))
                elif _is_module(f"{source_module}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{source_module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = _dotted(node.value)
            if owner and owner.split(".")[0] in modules:
                head, *rest = owner.split(".")
                module = ".".join([modules[head], *rest])
                uses.append(PrivateUse(where, node.lineno, node.attr, module))
    return sorted(uses, key=lambda u: u.line)


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_no_module_uses_another_modules_private_names() -> None:
    found = []
    for path in _sources():
        found += private_uses(path.read_text(encoding="utf-8"), path)
    assert not found, (
        "private names used outside their module; give the helper a public name in the "
        "module of its concept:\n" + "\n".join(map(str, found))
    )


def test_every_package_is_read() -> None:
    """The walk reaches every package it claims to check."""
    read = {p.relative_to(ROOT).as_posix() for p in _sources()}
    for expected in (
        "engine/show/stepper.py",
        "nn/conv.py",
        "engine/core/value.py",
        "engine/compiler/compiled.py",
    ):
        assert expected in read


FAKE = ROOT / "engine" / "show" / "example.py"


def _found(source: str) -> list[str]:
    return [f"{u.line}: {u.name} from {u.module}" for u in private_uses(source, FAKE)]


def test_a_private_import_is_found_with_its_line_and_module() -> None:
    source = "import math\nfrom .stepper import BackpropStep, _wrap\nfrom ..core import _x\n"
    assert _found(source) == ["2: _wrap from engine.show.stepper", "3: _x from engine.core"]


def test_a_private_attribute_of_an_imported_module_is_found() -> None:
    source = (
        "import engine\nimport engine.core.value as value\nfrom . import draw\n"
        "from .draw import draw_dot\n"
        "a = engine._hidden\nb = value._new\nc = draw._role(1, 2)\nd = engine.core._x\n"
    )
    assert _found(source) == [
        "5: _hidden from engine",
        "6: _new from engine.core.value",
        "7: _role from engine.show.draw",
        "8: _x from engine.core",
    ]


def test_own_and_public_names_are_not_reported() -> None:
    source = (
        "from __future__ import annotations\n"
        "from .display import in_notebook as _in_notebook\n"
        "from . import losses as _losses\n"
        "from .draw import draw_dot\n"
        "def _mine(): return 1\n"
        "class A:\n    def f(self, node): return self._x + node._parents + _mine()\n"
        "y = _losses.LOSSES\nz = draw_dot._cache\n"
    )
    assert _found(source) == []


def test_a_package_init_resolves_relative_imports_from_itself() -> None:
    init = ROOT / "engine" / "__init__.py"
    uses = private_uses("from .core.value import _new\n", init)
    assert [(u.name, u.module) for u in uses] == [("_new", "engine.core.value")]
