"""Start the reminder worker inside the app process when `worker_in_app` is set.

The app shell calls :func:`ensure_worker` on every run; the worker starts once per
process (scheduler.start_in_app guards it) and keeps running between reruns.
"""

from __future__ import annotations

from legal_track.config import get_settings
from legal_track.reminders.mail import mailer_from_settings
from legal_track.reminders.scheduler import Worker, start_in_app
from legal_track.ui.context import engine, now


def ensure_worker() -> Worker | None:
    settings = get_settings()
    if not settings.worker_in_app:
        return None
    return start_in_app(
        engine=engine(), settings=settings, mailer=mailer_from_settings(settings), clock=now
    )
