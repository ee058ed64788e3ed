"""The app fixtures of tests/ui, for the third-party tab."""

from tests.ui.conftest import app, db, user_of  # noqa: F401
