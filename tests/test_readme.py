from __future__ import annotations

import typer.main

from legal_track.cli import app
from legal_track.config import Settings
from legal_track.readme import ROOT, render

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README


def test_readme_is_in_step_with_settings_and_area_docs():
    assert render(README) == README, "README.md is stale: run `python -m legal_track.readme`"


def test_every_setting_is_documented():
    for name in Settings.model_fields:
        assert f"LEGAL_TRACK_{name.upper()}" in README, f"setting {name} missing from README"


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        path = (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, path)
        else:
            yield " ".join(path)


def test_every_cli_command_is_documented():
    group = typer.main.get_command(app)
    missing = [c for c in _commands(group) if f"legal-track {c}" not in README]
    assert not missing, f"CLI commands not in README: {missing}"
