"""The stays of each case in each stage (table `stagevisit`), rewritten from the case's
events whenever they change, so that the dashboard's dwell times are one aggregate.

A stay starts at the first event whose kind moves the case into a stage (IMPLIED_STAGE)
and lasts until an event moves it to another stage; consecutive events of the same stage
(a demand letter sent, then delivered) are one stay.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from legal_track.cases.kinds import IMPLIED_STAGE
from legal_track.cases.lifecycle import ROUTE_OF_STAGE
from legal_track.models import Case, CaseEvent
from legal_track.models.analytics import StageVisit

CHUNK = 5_000
_STAGE_OF = {k.value: s.value for k, s in IMPLIED_STAGE.items()}
_ROUTE_OF = {s.value: r.value for s, r in ROUTE_OF_STAGE.items() if r is not None}


def visits_for(case_id: int, route: str, events: Iterable[tuple[str, date]]) -> list[dict]:
    """The stays of one case from its (kind, day) events in date order. Pure."""
    out: list[dict] = []
    for kind, day in events:
        stage = _STAGE_OF.get(kind)
        if stage is None or (out and out[-1]["stage"] == stage):
            continue
        if out:
            out[-1]["left_on"] = day
            out[-1]["days"] = (day - out[-1]["entered_on"]).days
        out.append({"case_id": case_id, "route": _ROUTE_OF.get(stage, route), "stage": stage,
                    "entered_on": day, "left_on": None, "days": None})  # fmt: skip
    return out


def _write(session: Session, case_ids: list[int]) -> int:
    conn = session.connection()
    conn.execute(delete(StageVisit.__table__).where(StageVisit.__table__.c.case_id.in_(case_ids)))
    routes = dict(conn.execute(select(Case.id, Case.route).where(Case.id.in_(case_ids))).all())
    events: dict[int, list[tuple[str, date]]] = defaultdict(list)
    query = (
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.on)
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.kind.in_(list(_STAGE_OF)))
        .order_by(CaseEvent.case_id, CaseEvent.on, CaseEvent.id)
    )
    for case_id, kind, on in conn.execute(query):
        events[case_id].append((kind, on))
    rows = [
        v for cid in case_ids for v in visits_for(cid, routes.get(cid, ""), events.get(cid, []))
    ]
    if rows:
        conn.execute(insert(StageVisit.__table__), rows)
    return len(rows)


def refresh_visits(session: Session, *, case_ids: Iterable[int]) -> int:
    """Rewrite the stays of `case_ids` inside the caller's transaction (no commit)."""
    ids = sorted(set(case_ids))
    return sum(_write(session, ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK))


def rebuild_visits(session: Session, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Rewrite every case's stays (after a bulk load such as the demo); commits."""
    ids = list(session.execute(select(Case.id).order_by(Case.id)).scalars())
    total = 0
    for i in range(0, len(ids), CHUNK):
        total += _write(session, ids[i : i + CHUNK])
        if progress is not None:
            progress(min(i + CHUNK, len(ids)), len(ids))
    session.commit()
    return total


__all__ = ["rebuild_visits", "refresh_visits", "visits_for"]
