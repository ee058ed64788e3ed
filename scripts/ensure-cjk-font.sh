#!/usr/bin/env bash
# Make sure a CJK font exists for PDFs and LibreOffice; install it when we may.
set -euo pipefail
if [ -n "${LEGAL_TRACK_CJK_FONT:-}" ] && [ -f "${LEGAL_TRACK_CJK_FONT}" ]; then exit 0; fi
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh file 2>/dev/null | head -n1)" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "legal-track: installing fonts-noto-cjk (CJK font for PDFs)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-cjk fontconfig >/dev/null
  exit 0
fi
echo "WARNING: no CJK font found; PDFs with Chinese text cannot be made." >&2
echo "         Install one:  sudo apt-get install fonts-noto-cjk" >&2
echo "         or set LEGAL_TRACK_CJK_FONT=/path/to/font.ttc" >&2
