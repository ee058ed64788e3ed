"""Run the benchmarks: `python -m bench [NAME ...]` (default: all of them, one after
the other, each in its own process, each writing its result to docs/bench/NAME.md).

    python -m bench                 # every benchmark (about half an hour on 2 cores)
    python -m bench recompute       # one of them (same as python -m bench.recompute)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NAMES = sorted(p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_"))


def main(argv: list[str]) -> int:
    wanted = argv or NAMES
    unknown = [n for n in wanted if n not in NAMES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(NAMES)}",
              file=sys.stderr)  # fmt: skip
        return 2
    failed = []
    for name in wanted:
        print(f"== bench.{name}", file=sys.stderr, flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
