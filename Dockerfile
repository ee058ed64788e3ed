# The legal-track image: the web app, the reminder worker and the CLI.
# compose.yaml runs it as `app` and `worker` beside PostgreSQL (docs/operations.md).
# Not built on the development machine (no Docker there): see docs/operations.md.
FROM python:3.11-slim

ARG UV_VERSION=0.13.9
# pg_dump refuses a server newer than itself: match compose.yaml's postgres:16
ARG PG_CLIENT_VERSION=16

ENV PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH \
    LEGAL_TRACK_EVIDENCE_DIR=/data/evidence \
    LEGAL_TRACK_OUTPUT_DIR=/data/output \
    LEGAL_TRACK_OUTBOX_DIR=/data/output/outbox \
    LEGAL_TRACK_TEMPLATES_DIR=/data/templates

# fonts-noto-cjk: the CJK font of every PDF; qpdf, poppler-utils: PDF tools; the
# PostgreSQL client (pg_dump, pg_restore) for `legal-track backup|restore`, from the
# PostgreSQL project's apt repository because Debian 12 ships version 15 only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fonts-noto-cjk fontconfig qpdf poppler-utils ca-certificates curl gnupg postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_CLIENT_VERSION} \
 && apt-get purge -y --auto-remove curl gnupg \
 && rm -rf /var/lib/apt/lists/*

# uv, pinned as in the Makefile; the dependencies exactly as uv.lock has them.
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-install-project --compile-bytecode
COPY . .
RUN uv sync --locked --compile-bytecode \
 && python -m compileall -q legal_track \
 && useradd --system --uid 10001 --create-home --home-dir /home/legal legal \
 && mkdir -p /data/evidence /data/output/outbox /data/templates /data/backups /app/var \
 && chown -R legal:legal /data /app/var

USER legal
EXPOSE 8501 8081
CMD ["legal-track", "serve", "--address", "0.0.0.0", "--port", "8501"]
