"""``python -m demos.site build DIR``: build the browser site into DIR (see build.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .build import build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demos.site", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="write the site into DIR (deleted first)")
    build_command.add_argument("dir", type=Path, metavar="DIR")
    args = parser.parse_args(argv)
    build(args.dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
