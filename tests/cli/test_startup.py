"""`legal-track --help` and `legal-track COMMAND --help` load typer and the CLI modules
only: the database layer, the PDF and document libraries, Streamlit and APScheduler are
imported by the command that uses them. Checked on the modules a fresh interpreter has
loaded, not on a timer (the time is measured by bench/cli.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from legal_track.claims.fees import FeeKind, Procedure
from legal_track.cli import app
from legal_track.cli.evidence import CATEGORIES
from legal_track.cli.fee import FEE_KINDS, PROCEDURES
from legal_track.cli.users import ROLES
from legal_track.models import EvidenceCategory
from legal_track.models.user import Role

HEAVY = ("pypdf", "fpdf", "fontTools", "docxtpl", "docx", "openpyxl", "streamlit",
         "apscheduler", "sqlalchemy", "sqlmodel", "PIL", "jinja2", "legal_track.models",
         "legal_track.db", "legal_track.config")  # fmt: skip
# (not pydantic: typer 0.29 itself converts command parameters with it)

PROBE = """
import json, sys
from legal_track.cli import app
try:
    app(args=sys.argv[1:], prog_name="legal-track")
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] if not m.startswith("legal_track") else m
                for m in sys.modules if m.startswith(tuple(json.loads(HEAVY)))})
print("\\nLOADED=" + json.dumps(heavy))
"""


def _commands() -> list[list[str]]:
    import typer.main

    root = typer.main.get_command(app)
    paths = []
    for name, cmd in root.commands.items():
        paths.append([name])
        for sub in getattr(cmd, "commands", {}):
            paths.append([name, sub])
    return paths


def loaded_by(args: list[str]) -> list[str]:
    code = "HEAVY = " + repr(json.dumps(HEAVY)) + "\n" + PROBE
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True, timeout=60).stdout  # fmt: skip
    assert "Usage:" in out, out
    return json.loads(out.rsplit("LOADED=", 1)[1])


def test_the_probe_sees_a_heavy_import():
    code = "import sqlmodel\n" + "HEAVY = " + repr(json.dumps(HEAVY)) + "\n" + PROBE
    out = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert "sqlmodel" in out.rsplit("LOADED=", 1)[1]


def test_root_help_loads_no_heavy_library():
    assert loaded_by(["--help"]) == []


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_command_help_loads_no_heavy_library(path):
    assert loaded_by([*path, "--help"]) == [], f"legal-track {' '.join(path)} --help"


def test_cli_choices_match_the_enums():
    assert tuple(k.value for k in FeeKind) == FEE_KINDS
    assert tuple(p.value for p in Procedure) == PROCEDURES
    assert tuple(r.value for r in Role) == ROLES
    assert tuple(c.value for c in EvidenceCategory) == CATEGORIES
