"""The CLI: `deadline calc|rules|list|...` and `calendar load|show`."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from legal_track.cases.events import add_event
from legal_track.cli import app
from legal_track.cli.common import session
from legal_track.models import User
from tests.calendar.notices import NOTICE_2027_TOML
from tests.factories import T0, make_case

runner = CliRunner()


def _run(*args: str):
    result = runner.invoke(app, list(args))
    return result


def test_calc_json_has_the_issue_keys(env):
    result = _run("deadline", "calc", "appeal_judgment", "2026-09-21", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("rule", "trigger", "due", "provisional")} == {
        "rule": "appeal_judgment", "trigger": "2026-09-21", "due": "2026-10-08",
        "provisional": False,
    }  # fmt: skip
    assert data["basis"] == "民事诉讼法第八十五条、第一百七十一条"
    assert data["explanation"].startswith("判决书送达 2026-09-21；上诉期15日")
    assert not (env / "lt.db").exists(), "calc needs no database"


def test_calc_text_params_and_english(env):
    result = _run("deadline", "calc", "evidence_period_ordinary", "2026-03-02", "-p", "days=20")
    assert result.exit_code == 0, result.output
    assert "due          2026-03-23" in result.stdout
    en = _run("deadline", "calc", "set_aside_award", "2026-03-01", "--json", "--lang", "en")
    data = json.loads(en.stdout)
    assert data["due"] == "2026-06-01" and "Arbitration Law 2025 art. 72" in data["basis"]


def test_calc_provisional_year(env):
    data = json.loads(_run("deadline", "calc", "appeal_judgment", "2026-12-17", "--json").stdout)
    assert (data["due"], data["provisional"]) == ("2027-01-04", True)


def test_calc_errors_are_one_line(env):
    result = _run("deadline", "calc", "appeal", "2026-09-21")
    assert result.exit_code == 1 and "unknown deadline rule 'appeal'" in result.stderr
    bad = _run("deadline", "calc", "appeal_judgment", "21.09.2026")
    assert bad.exit_code == 1 and "is not a date (YYYY-MM-DD)" in bad.stderr
    param = _run("deadline", "calc", "appeal_judgment", "2026-09-21", "-p", "days")
    assert param.exit_code == 1 and "expected KEY=VALUE" in param.stderr


def test_rules_lists_every_version(env):
    data = json.loads(_run("deadline", "rules", "--json").stdout)
    ids = [r["id"] for r in data["rules"]]
    assert ids.count("set_aside_award") == 2 and "limitation_general" in ids
    assert "lawyer must review" in data["review"]
    text = _run("deadline", "rules").stdout
    assert "appeal_judgment" in text


def test_list_calendar_load_and_show(env, tmp_path):
    assert _run("init").exit_code == 0
    with session() as s:
        user = User(username="li", display_name="李律", password_hash="-", created_at=T0)
        s.add(user)
        s.commit()
        case = make_case(s, owner_id=user.id, stage="lit_served")
        s.commit()
        add_event(s, case_id=case.id, kind="judgment_served", on=date(2027, 1, 25),
                  actor="li", now=T0)  # fmt: skip
        ref = case.ref
    listed = json.loads(_run("deadline", "list", "--owner", "li", "--json").stdout)
    assert [(i["case"], i["due"], i["provisional"]) for i in listed] == [(ref, "2027-02-09", True)]
    assert json.loads(_run("deadline", "list", "--overdue", "--json").stdout) == []
    assert _run("deadline", "list", "--owner", "nobody").exit_code == 1

    show = _run("calendar", "show", "2027")
    assert show.exit_code == 0 and "provisional" in show.stdout and "2027-10-01" in show.stdout
    notice = tmp_path / "2027.toml"
    notice.write_text(NOTICE_2027_TOML, encoding="utf-8")
    loaded = _run("calendar", "load", str(notice))
    assert loaded.exit_code == 0, loaded.output
    assert "1 deadline(s) moved" in loaded.stdout
    assert f"moved: {ref} appeal_judgment 2027-02-09 -> 2027-02-15" in loaded.stdout
    shown = json.loads(_run("calendar", "show", "2027", "--json").stdout)
    assert shown["provisional"] is False and shown["stored_rows"] == 11
    text = _run("calendar", "show", "2026").stdout
    assert "official" in text and "2026-10-10" in text
    db_calc = json.loads(
        _run("deadline", "calc", "appeal_judgment", "2027-01-25", "--db", "--json").stdout
    )
    assert (db_calc["due"], db_calc["provisional"]) == ("2027-02-15", False)


def test_calendar_load_refuses_bad_file(env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name_zh\n2027-02-08,work,春节\n", encoding="utf-8")
    result = _run("calendar", "load", str(bad))
    assert result.exit_code == 1 and "bad.csv row 2: 2027-02-08 is a weekday" in result.stderr
    missing = _run("calendar", "load", str(tmp_path / "none.toml"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr


def test_recompute_and_actions(env):
    assert _run("init").exit_code == 0
    with session() as s:
        case = make_case(s, stage="lit_served")
        s.commit()
        add_event(s, case_id=case.id, kind="case_accepted", on=date(2026, 3, 2), actor="li",
                  now=T0)  # two deadlines: complaint copy, trial limit  # fmt: skip
        ref = case.ref
    ids = [i["id"] for i in json.loads(_run("deadline", "list", "--case", ref, "--json").stdout)]
    assert len(ids) == 2
    result = _run("deadline", "recompute", "--case", ref)
    assert result.exit_code == 0 and "1 case(s) skipped" in result.stdout
    forced = _run("deadline", "recompute", "--force")
    assert forced.exit_code == 0 and "2 unchanged" in forced.stdout
    over = _run("deadline", "override", str(ids[0]), "2026-03-10", "--reason", "法院通知")
    assert over.exit_code == 0 and "due 2026-03-10 (computed 2026-03-09)" in over.stdout
    assert _run("deadline", "complete", str(ids[0]), "--note", "已送达").exit_code == 0
    waived = _run("deadline", "waive", str(ids[1]), "--reason", "仅供参考")
    assert waived.exit_code == 0
    assert json.loads(_run("deadline", "list", "--case", ref, "--json").stdout) == []
    again = _run("deadline", "complete", str(ids[0]))
    assert again.exit_code == 1 and "already completed" in again.stderr
