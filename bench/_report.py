"""What every benchmark does with its result: write the Markdown report and say where."""

from __future__ import annotations

from pathlib import Path


def write_report(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {path}")
