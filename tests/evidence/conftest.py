from __future__ import annotations

import pytest

from legal_track.config import Settings
from legal_track.evidence.intake import IntakeTools


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        _env_file=None,
        database_url="sqlite://",
        evidence_dir=tmp_path / "store",
        output_dir=tmp_path / "output",
    )


@pytest.fixture
def no_tools() -> IntakeTools:
    """Intake without qpdf and LibreOffice (the pure-Python paths)."""
    return IntakeTools(qpdf=None, soffice=None)


@pytest.fixture
def qpdf_tools() -> IntakeTools:
    from tests.components import require_binary

    return IntakeTools(qpdf=require_binary("qpdf", "qpdf"), soffice=None)
