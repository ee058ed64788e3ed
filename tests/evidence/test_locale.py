from __future__ import annotations

import re
from pathlib import Path

import pytest

from legal_track.evidence.intake import RefusalReason
from legal_track.evidence.rules import DATA_SATISFIERS, DATA_SLOTS
from legal_track.i18n import catalog
from legal_track.models import CustodyAction, EvidenceCategory

TAB = Path(__file__).resolve().parents[2] / "legal_track" / "ui" / "evidence_tab.py"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_key_the_evidence_tab_builds_exists(lang):
    texts = catalog()[lang]
    keys = {f"evidence.category.{c.value}" for c in EvidenceCategory}
    keys |= {f"evidence.custody.{a.value}" for a in CustodyAction}
    keys |= {f"evidence.refused.{r.value}" for r in RefusalReason}
    keys |= {f"evidence.data.{d}" for d in DATA_SATISFIERS}
    keys |= {f"evidence.slot.{s[1:]}" for s in DATA_SLOTS}
    keys |= set(re.findall(r'"(evidence\.[a-z_]+\.[a-z_]+)"', TAB.read_text(encoding="utf-8")))
    missing = sorted(k for k in keys if k not in texts)
    assert not missing, f"missing {lang} texts: {missing}"
