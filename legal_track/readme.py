"""Keep README.md in step with the code: the settings table and the area sections.

`python -m legal_track.readme` rewrites the generated blocks; the test suite fails
when README.md differs from what this module would write.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from legal_track.config import settings_markdown

ROOT = Path(__file__).resolve().parents[1]
# The area documents, in the order the README presents them.
SECTIONS = ("intake", "escalation", "ui", "audit", "analytics", "counsel", "deadlines", "settlements", "claims", "evidence", "bundle", "documents",
            "reminders", "retention", "privacy", "operations", "cli")  # fmt: skip


def _block(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"README.md has no <!-- {name}:start/end --> block")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def _demote_headings(text: str) -> str:
    """Area docs start at "# Title": nest them one level down, outside code fences."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#+ ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out)


def sections_markdown(docs: Path = ROOT / "docs") -> str:
    parts = []
    for name in SECTIONS:
        path = docs / f"{name}.md"
        if path.exists():
            text = path.read_text(encoding="utf-8").strip()
            text = _demote_headings(text)
            parts.append(text + "\n")
    return "\n".join(parts)


def render(readme_text: str) -> str:
    text = _block(readme_text, "settings", settings_markdown())
    return _block(text, "sections", sections_markdown())


def main() -> int:
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
