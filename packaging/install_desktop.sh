#!/bin/sh
# Install the built bundle (dist/engage) for the current user: the program folder under
# ~/.local/opt/engage, `engage` and `engage-gui` on the PATH in ~/.local/bin, the menu entry,
# the icon and the *.engage file type. Run after `make package`; run again to upgrade.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUNDLE=${1:-"$ROOT/dist/engage"}
DATA=${XDG_DATA_HOME:-"$HOME/.local/share"}
if [ ! -x "$BUNDLE/engage-gui" ]; then
  echo "No bundle at $BUNDLE: build it first with 'make package'." >&2
  exit 1
fi
mkdir -p "$HOME/.local/opt" "$HOME/.local/bin" "$DATA/applications" \
         "$DATA/icons/hicolor/256x256/apps" "$DATA/icons/hicolor/scalable/apps" "$DATA/mime/packages"
rm -rf "$HOME/.local/opt/engage"
cp -R "$BUNDLE" "$HOME/.local/opt/engage"
ln -sf "$HOME/.local/opt/engage/engage" "$HOME/.local/bin/engage"
ln -sf "$HOME/.local/opt/engage/engage-gui" "$HOME/.local/bin/engage-gui"
sed "s|^Exec=engage-gui|Exec=$HOME/.local/bin/engage-gui|" "$HERE/engage.desktop" \
  > "$DATA/applications/engage.desktop"
cp "$ROOT/ui/icons/engage.png" "$DATA/icons/hicolor/256x256/apps/engage.png"
cp "$ROOT/ui/icons/engage.svg" "$DATA/icons/hicolor/scalable/apps/engage.svg"
cp "$HERE/engage-mime.xml" "$DATA/mime/packages/engage.xml"
command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
echo "Engage installed: open it from the applications menu, or run engage-gui."
