"""Optional components (PostgreSQL, LibreOffice, qpdf, Chromium, a CJK font).

Locally a test that needs a missing component is skipped with the install hint;
in CI (CI=true) it fails instead, because CI installs every component.
"""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, what: str, hint: str) -> None:
    if available:
        return
    message = f"{what} is not available ({hint})"
    if IN_CI:
        pytest.fail(f"CI must provide every component: {message}")
    pytest.skip(message)


def require_binary(name: str, package: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"`{name}`", f"apt-get install {package}")
    return path  # type: ignore[return-value]


def pg_url() -> str:
    url = os.environ.get("LEGAL_TRACK_TEST_PG_URL", "")
    require(bool(url), "PostgreSQL", "set LEGAL_TRACK_TEST_PG_URL; .ci/run starts a server")
    return url
