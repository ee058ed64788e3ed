"""Reminders: the daily digest, immediate alerts and escalations by e-mail, and the
calendar feed, sent exactly once however many app instances run.

- `run`: one reminder pass (what is due at `now`, recorded once, sent once).
- `sources`, `stages`, `text`, `prefs`: what to remind of, at which stage, in which words
  and language, to whom.
- `delivery`, `mail`: the outbox table and the mailers (SMTP, or .eml files in
  `var/outbox/`).
- `ics`: per-user calendar (.ics) files.
- `scheduler`: the worker (APScheduler, one lease in the database); import it from there,
  it pulls in APScheduler.
"""

from legal_track.reminders.run import PassReport, plan_reminders, run_pass

__all__ = ["PassReport", "plan_reminders", "run_pass"]
