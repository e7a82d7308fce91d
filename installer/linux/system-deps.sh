#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Yibao Station needs, only those missing.
# Used by `make run` and `make test`; safe to run again. Needs root or sudo when something
# is missing; prints what is missing and stops otherwise.
set -euo pipefail

packages=(
  # Qt (PySide6 wheels) on X11/Wayland and offscreen
  libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  # Chinese text, including rare characters (CJK Extension B and beyond) in names
  fonts-noto-cjk fonts-hanazono
  # Social-security cards over PC/SC: the daemon, and what pyscard builds against; the
  # virtual reader (vpcd) lets the tests drive the real driver with a simulated card
  pcscd libpcsclite-dev swig vsmartcard-vpcd
  # QR codes of the medical-insurance e-voucher (pyzbar loads libzbar)
  libzbar0
  # The kiosk's spoken prompts: QtTextToSpeech links Qt Multimedia, which needs libpulse and
  # warns without PipeWire's library; Qt's "speechd" engine talks to speech-dispatcher, whose
  # espeak-ng module has a Mandarin voice (cmn). The tests run their own daemon with silent
  # audio (libao's null driver, in speech-dispatcher-audio-plugins).
  libpulse0 libpipewire-0.3-0 libspeechd2 speech-dispatcher speech-dispatcher-audio-plugins
  espeak-ng speech-dispatcher-espeak-ng
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian-based system; install the equivalents of: ${packages[*]}" >&2
  exit 0
fi

# Debian's python3 lacks venv/ensurepip unless python3-venv is installed.
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  packages+=(python3-venv)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "system-deps: installing ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "system-deps: these packages are missing and this user cannot install them:" >&2
  echo "  apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
