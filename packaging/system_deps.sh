#!/bin/sh
# Make sure the Debian packages Engage needs are present.
# Run as root it installs what is missing with apt; otherwise it prints the exact apt line,
# because a half-working Qt (missing libEGL, say) fails later with a far less helpful message.
set -e
want="python3-venv libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3 libx11-6"
if [ "${1:-}" = "--gui" ]; then
  want="$want xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0"
fi
command -v dpkg-query >/dev/null 2>&1 || exit 0   # not Debian-like: nothing we can check
missing=""
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
# python3-venv is only needed when the interpreter cannot already make a venv with pip.
case "$missing" in *python3-venv*)
  if python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    missing=$(echo "$missing" | sed 's/ python3-venv//')
  fi;;
esac
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
  echo "Installing system packages Qt needs:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "Engage needs these system packages. Please run:"
  echo "  sudo apt-get install -y$missing"
  exit 1
fi
