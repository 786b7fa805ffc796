"""Build the lessons as a static JupyterLite site, from PyPI and npm, with nothing at run time.

The steps, each a function below:

1. ``npm ci`` installs this folder's package-lock.json: Pyodide's core (the Python
   interpreter as WebAssembly) and @viz-js/viz (Graphviz as WebAssembly).
2. The wheels the kernel and the lessons import go next to Pyodide, and its lock file is
   rewritten to list exactly them, with their sha256: the kernel's own pure Python
   dependencies at the versions Pyodide's lock names, the lessons' (graphviz, tqdm,
   ipywidgets, hypothesis) at the versions of gradstep's uv.lock, and gradstep's own
   wheel, built from this checkout. Pyodide's lock names 357 packages that live on a
   CDN; a lock cut to what is present means no request can leave the site.
3. The lessons are copied with their data and the kernel name ``python``.
4. ``jupyter lite build`` writes the site, told to take Pyodide from the site itself
   (``pyodideUrl``), never from PyPI (``disablePyPIFallback``), and to load gradstep
   and the lessons' packages as the kernel starts.
5. ``stepper.html`` joins them: a plain page (Pyodide, gradstep and viz.js, no
   JupyterLab) where a learner types an expression, steps through its backprop and
   practises on it (``engine.show.own_expression``).

The output folder is deleted first: every build is a clean one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NOTEBOOKS = ROOT / "notebooks"

# Browser wheels: PEP 783's tag for Pyodide 314 (Python 3.14), or pure Python.
PLATFORM = ["--platform", "pyemscripten_2026_0_wasm32", "--platform", "any"]
PYTHON = ["--python-version", "3.14", "--implementation", "cp", "--abi", "cp314", "--abi", "none"]

# What the Pyodide kernel installs as it starts (its worker's list) and micropip, which
# it loads first; with their dependencies, as Pyodide's lock lists them.
KERNEL = ["micropip", "ipython", "jedi"]
# The lessons' packages that Pyodide's lock has, at its versions.
FROM_PYODIDE = ["tqdm", "sortedcontainers"]
# The lessons' packages that it does not have, at uv.lock's versions: name -> (what they
# import, what they need first).
FROM_UV_LOCK = {
    "comm": (["comm"], []),
    "graphviz": (["graphviz"], []),
    "ipywidgets": (["ipywidgets"], ["comm", "ipython", "traitlets"]),
    "hypothesis": (["hypothesis"], ["sortedcontainers"]),
}
# Loaded as the kernel starts, so a lesson's `import nn` just works.
PRELOAD = ["gradstep", "ipywidgets", "hypothesis"]


def run(cmd: list[str], cwd: Path | None = None) -> None:
    print("  $", " ".join(cmd[:6]), "..." if len(cmd) > 6 else "", flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def npm_packages(work: Path) -> Path:
    """``npm ci`` of this folder's lock into ``work``; returns its node_modules."""
    for name in ("package.json", "package-lock.json"):
        shutil.copy(HERE / name, work / name)
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("site build: npm is missing; install Node.js (apt install npm)")
    run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd=work)
    return work / "node_modules"


def copy_pyodide(modules: Path, target: Path) -> dict:
    """Pyodide's core files and viz.js into ``target``; returns Pyodide's lock."""
    target.mkdir(parents=True)
    core = modules / "pyodide"
    for path in core.iterdir():
        if path.suffix in (".mjs", ".wasm", ".zip", ".js") or path.name == "pyodide-lock.json":
            shutil.copy(path, target / path.name)
    shutil.copy(modules / "@viz-js" / "viz" / "dist" / "viz-global.js", target)
    return json.loads((core / "pyodide-lock.json").read_text(encoding="utf-8"))


def canonical(name: str) -> str:
    """A package name as the lock's keys spell it (``prompt_toolkit`` -> ``prompt-toolkit``)."""
    return name.lower().replace("_", "-").replace(".", "-")


def closure(packages: dict, roots: list[str]) -> list[str]:
    """``roots`` and everything they depend on, by Pyodide's lock."""
    found: list[str] = []
    todo = [canonical(r) for r in roots]
    while todo:
        name = todo.pop()
        if name not in found:
            found.append(name)
            todo += [canonical(d) for d in packages[name]["depends"]]
    return sorted(found)


def uv_lock_version(name: str) -> str:
    """The newest version of ``name`` in gradstep's uv.lock."""
    text = (ROOT / "uv.lock").read_text(encoding="utf-8")
    pattern = rf'\[\[package\]\]\nname = "{re.escape(name)}"\nversion = "([^"]+)"'
    versions = re.findall(pattern, text)
    if not versions:
        raise SystemExit(f"site build: {name} is not in uv.lock; run `uv lock`")
    return max(versions, key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()))


def download(requirements: list[str], target: Path) -> None:
    """Browser wheels of exactly these ``name==version``s, no dependencies, from PyPI."""
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    run([*cmd, *PLATFORM, *PYTHON, "--dest", str(target), *requirements])


def gradstep_wheel(target: Path) -> Path:
    """gradstep's wheel, built from this checkout by uv."""
    uv = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".uv" / "bin" / "uv")
    with tempfile.TemporaryDirectory(prefix="gradstep-wheel-") as out:
        run([uv, "build", "--wheel", "--quiet", "--out-dir", out, str(ROOT)])
        [wheel] = Path(out).glob("gradstep-*.whl")
        return Path(shutil.copy(wheel, target))


def wheel_name(folder: Path, name: str) -> str:
    """The file name of ``name``'s wheel in ``folder``."""
    stem = canonical(name)
    [path] = [p for p in folder.glob("*.whl") if canonical(p.name).startswith(f"{stem}-")]
    return path.name


def entry(folder: Path, name: str, version: str, imports: list[str], depends: list[str]) -> dict:
    """A lock entry for the wheel of ``name`` in ``folder``, with its sha256."""
    file_name = wheel_name(folder, name)
    digest = hashlib.sha256((folder / file_name).read_bytes()).hexdigest()
    return {"name": name, "version": version, "file_name": file_name, "sha256": digest,
            "imports": imports, "depends": depends, "install_dir": "site",
            "package_type": "package", "unvendored_tests": False}  # fmt: skip


def wheels_and_lock(pyodide_dir: Path, lock: dict) -> None:
    """Download every wheel into ``pyodide_dir`` and write the lock that lists just them."""
    known = lock["packages"]
    ours = closure(known, KERNEL + FROM_PYODIDE)
    pinned = {name: uv_lock_version(name) for name in FROM_UV_LOCK}
    download([f"{known[n]['name']}=={known[n]['version']}" for n in ours], pyodide_dir)
    download([f"{n}=={v}" for n, v in pinned.items()], pyodide_dir)
    packages = {}
    for name in ours:
        old = known[name]
        packages[name] = {**old, **entry(pyodide_dir, old["name"], old["version"],
                                         old["imports"], old["depends"])}  # fmt: skip
    for name, (imports, depends) in FROM_UV_LOCK.items():
        packages[name] = entry(pyodide_dir, name, pinned[name], imports, depends)
    wheel = gradstep_wheel(pyodide_dir)
    version = wheel.name.split("-")[1]
    packages["gradstep"] = entry(pyodide_dir, "gradstep", version, ["engine", "nn"],
                                 ["graphviz", "tqdm"])  # fmt: skip
    lock = {**lock, "packages": packages}
    text = json.dumps(lock, indent=1, sort_keys=True)
    (pyodide_dir / "pyodide-lock.json").write_text(text, encoding="utf-8")


def lessons(contents: Path) -> list[str]:
    """The lessons, for the Pyodide kernel (named ``python``), and their data folder."""
    contents.mkdir(parents=True)
    names = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notebook["metadata"]["kernelspec"] = {
            "name": "python", "display_name": "Python (Pyodide)", "language": "python"}  # fmt: skip
        (contents / path.name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
        names.append(path.name)
    shutil.copytree(NOTEBOOKS / "data", contents / "data")
    return names


def lite_config(lite: Path) -> None:
    """jupyter-lite.json: Pyodide from the site, no PyPI, gradstep loaded at start."""
    settings = {
        "pyodideUrl": "./static/pyodide/pyodide.mjs",
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": PRELOAD},
    }
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "gradstep lessons",
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": settings},
        },
    }
    (lite / "jupyter-lite.json").write_text(json.dumps(config, indent=1), encoding="utf-8")


def build(out: Path) -> None:
    """Write the site into ``out`` (deleted first)."""
    out = out.resolve()
    if out == ROOT or ROOT.is_relative_to(out) or out == NOTEBOOKS:
        raise SystemExit(f"site build: refusing to delete {out}; give a new folder")
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="gradstep-site-") as tmp:
        work = Path(tmp)
        print("1. npm packages (package-lock.json)")
        modules = npm_packages(work)
        lite = work / "lite"
        pyodide_dir = lite / "static" / "pyodide"
        lock = copy_pyodide(modules, pyodide_dir)
        print("2. wheels, and Pyodide's lock cut to them")
        wheels_and_lock(pyodide_dir, lock)
        print("3. lessons")
        names = lessons(work / "contents")
        lite_config(lite)
        print("4. jupyter lite build")
        jupyter_lite = Path(sys.executable).parent / "jupyter-lite"
        contents = ["--contents", str(work / "contents"), "--output-dir", str(out)]
        # in the lite folder, where it keeps its task database (.jupyterlite.doit.db)
        run(
            [str(jupyter_lite), "build", "--lite-dir", str(lite), *contents, "--no-sourcemaps"],
            cwd=lite,
        )
    shutil.copy(HERE / "stepper.html", out / "stepper.html")  # the plain page, no JupyterLab
    print(f"\nwrote {out}: {len(names)} lessons, {size_mb(out):.1f} MB")
    print(f"serve it: python -m http.server -d {os.path.relpath(out)}  (then open the address)")


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
