#!/usr/bin/env bash
# Installs what claims-intake needs on a fresh Debian machine: system packages
# (tesseract with eng/chi_sim/osd, poppler, CJK fonts, chromium for browser
# tests) and a local virtual environment in .venv. Safe to run again: it skips
# what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-osd
                 poppler-utils fonts-dejavu-core fonts-noto-cjk fonts-wqy-microhei chromium chromium-driver)
PY=${PYTHON:-python3}

missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "==> installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> creating .venv and installing Python packages"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  # pip's own chatter goes to a log; it is shown only when the install fails
  if ! { .venv/bin/pip install --upgrade pip && .venv/bin/pip install -e '.[dev]'; } > .venv/install.log 2>&1; then
    tail -40 .venv/install.log >&2
    echo "Python package installation failed; the whole log is in .venv/install.log" >&2
    exit 1
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi
