"""compose.yaml and the Dockerfile, checked without Docker (there is none here): the
services, their shared database URL and volumes, the SMTP settings, the health checks,
and that every `legal-track` command in the file exists and accepts its options."""

from __future__ import annotations

import re
import shlex

import click
import pytest
import typer.main
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.config import Settings
from legal_track.readme import ROOT
from tests.operations.yamlsubset import UnsupportedYaml, load

COMPOSE = load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
SERVICES = COMPOSE["services"]
runner = CliRunner()


def invocations() -> list[tuple[str, list[str]]]:
    """(where, args after `legal-track`) for every legal-track command in compose.yaml."""
    found = []
    for name, service in SERVICES.items():
        sources = [("command", service.get("command"))]
        sources.append(("healthcheck", (service.get("healthcheck") or {}).get("test")))
        for where, value in sources:
            if not value:
                continue
            words = value if isinstance(value, list) else shlex.split(value)
            if words[0] in ("CMD", "CMD-SHELL"):
                words = words[1:] if words[0] == "CMD" else shlex.split(words[1])
            if words[:2] == ["sh", "-c"]:
                words = shlex.split(words[2])
            line: list[str] = []
            for word in [*words, "&&"]:
                if word in ("&&", ";", "||"):
                    if line and line[0] in ("exec",):
                        line = line[1:]
                    if line and line[0] == "legal-track":
                        found.append((f"{name} {where}", line[1:]))
                    line = []
                else:
                    line.append(word)
    return found


def test_the_reader_refuses_what_it_cannot_read():
    assert load('a:\n  b: ["x", "y"]  # note\n  c: {}\n') == {"a": {"b": ["x", "y"], "c": {}}}
    for text in ("a: &x 1\n", "a:\n  - b: 1\n", "a: |\n  text\n", "a: b: c\n"):
        with pytest.raises(UnsupportedYaml):
            load(text)


def test_services_and_images():
    assert set(SERVICES) == {"db", "app", "worker"}
    assert SERVICES["db"]["image"] == "postgres:16"
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert (
        SERVICES["app"]["build"] == "." and SERVICES["worker"]["image"] == SERVICES["app"]["image"]
    )
    for name in ("app", "worker"):
        assert SERVICES[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert SERVICES["worker"]["depends_on"]["app"]["condition"] == "service_healthy"
    for service in SERVICES.values():
        assert service["healthcheck"]["test"], "every service has a health check"


def test_app_and_worker_share_the_database_and_volumes():
    app_env, worker_env = SERVICES["app"]["environment"], SERVICES["worker"]["environment"]
    url = app_env["LEGAL_TRACK_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url
    assert worker_env["LEGAL_TRACK_DATABASE_URL"] == url
    assert SERVICES["db"]["environment"]["POSTGRES_DB"] == url.rsplit("/", 1)[1]
    declared = set(COMPOSE["volumes"])
    mounts = {
        n: dict(v.split(":", 1)[::-1] for v in SERVICES[n]["volumes"]) for n in ("app", "worker")
    }
    for setting, volume in (("LEGAL_TRACK_EVIDENCE_DIR", "evidence"), ("LEGAL_TRACK_OUTPUT_DIR", "output"),
                            ("LEGAL_TRACK_TEMPLATES_DIR", "templates")):  # fmt: skip
        path = app_env[setting]
        assert worker_env[setting] == path, setting
        assert mounts["app"][path] == mounts["worker"][path] == volume, f"{volume} is shared"
        assert volume in declared, f"{volume} is a named volume"
    assert app_env["LEGAL_TRACK_OUTBOX_DIR"].startswith(app_env["LEGAL_TRACK_OUTPUT_DIR"] + "/")
    for volume in ("pgdata", "backups"):
        assert volume in declared


def test_environment_names_are_real_settings_and_smtp_is_configurable():
    settings = {f"LEGAL_TRACK_{n.upper()}" for n in Settings.model_fields}
    smtp = {s for s in settings if s.startswith("LEGAL_TRACK_SMTP_") and "TIMEOUT" not in s}
    for name in ("app", "worker"):
        env = SERVICES[name]["environment"]
        assert set(env) <= settings, f"{name}: unknown settings {set(env) - settings}"
        assert smtp <= set(env), f"{name}: SMTP relay settings missing {smtp - set(env)}"
        assert env["LEGAL_TRACK_SMTP_HOST"] == "${LEGAL_TRACK_SMTP_HOST:-}"


def test_the_commands_run_init_serve_and_a_worker_with_health():
    calls = invocations()
    by_place = {}
    for where, args in calls:
        by_place.setdefault(where, []).append(args)
    assert [a[0] for a in by_place["app command"]] == ["init", "serve"]
    assert by_place["app command"][1][1:] == ["--address", "0.0.0.0", "--port", "8501"]
    assert by_place["worker command"] == [["worker", "--health-port", "8081"]]
    assert by_place["worker healthcheck"] == [["health", "--url", "http://127.0.0.1:8081/health"]]
    assert ["health", "--url", "http://127.0.0.1:8501/_stcore/health"] in by_place[
        "app healthcheck"
    ]
    assert ["health"] in by_place["app healthcheck"]


@pytest.mark.parametrize(("where", "args"), invocations(), ids=lambda v: v if isinstance(v, str) else " ".join(v))  # fmt: skip
def test_every_command_in_compose_is_a_real_command(where, args):
    help_ = runner.invoke(app, [args[0], "--help"])
    assert help_.exit_code == 0 and "Usage:" in help_.output, f"{where}: legal-track {args[0]}"
    root = typer.main.get_command(app)
    command = root.get_command(click.Context(root), args[0])
    assert command is not None
    # parse the options exactly as the command would, without running it
    command.make_context(f"legal-track {args[0]}", list(args[1:]))


def test_the_dockerfile_builds_like_the_makefile():
    assert re.search(r"^FROM python:3\.11-slim$", DOCKERFILE, re.M)
    for package in ("fonts-noto-cjk", "qpdf", "poppler-utils", "postgresql-client-"):
        assert package in DOCKERFILE, package
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    uv = re.search(r"^UV_VERSION := (\S+)$", makefile, re.M).group(1)
    assert f"ARG UV_VERSION={uv}" in DOCKERFILE, "the image pins the Makefile's uv"
    assert "uv sync --locked" in DOCKERFILE and "--extra dev" not in DOCKERFILE
    pg = re.search(r"ARG PG_CLIENT_VERSION=(\d+)", DOCKERFILE).group(1)
    assert SERVICES["db"]["image"] == f"postgres:{pg}", "pg_dump matches the server"
