#!/bin/sh
# Run the built bundle the way a user would, with no Python on the PATH and no project
# checkout beside it: `engage demo` must build and analyse the sample project, and the GUI
# program must start and quit. `make package` runs this after every build.
set -eu
BUNDLE=$(cd "${1:-dist/engage}" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
OUT=$(env -i HOME="$WORK" PATH=/usr/bin:/bin LANG=C.UTF-8 "$BUNDLE/engage" demo --out "$WORK/demo.engage")
echo "$OUT"
for expected in "Sample project built at" "Big Ask 2013" "Comments by portfolio" \
                "Prevention at scale" "One acute network"; do
  echo "$OUT" | grep -q "$expected" || { echo "smoke test: '$expected' missing" >&2; exit 1; }
done
test -s "$WORK/demo.engage" || { echo "smoke test: no project file written" >&2; exit 1; }
# Reports and exports reach libraries the demo does not (reportlab, python-docx, wordcloud's
# font, openpyxl): each must write a non-empty file.
for out in report.pdf report.docx report.html; do
  env -i HOME="$WORK" PATH=/usr/bin:/bin "$BUNDLE/engage" report "$WORK/demo.engage" \
    --out "$WORK/$out" >/dev/null
  test -s "$WORK/$out" || { echo "smoke test: $out not written" >&2; exit 1; }
done
for out in coded.xlsx coded.qdpx; do
  env -i HOME="$WORK" PATH=/usr/bin:/bin "$BUNDLE/engage" export "$WORK/demo.engage" \
    --out "$WORK/$out" >/dev/null
  test -s "$WORK/$out" || { echo "smoke test: $out not written" >&2; exit 1; }
done
echo "smoke test: reports (PDF, DOCX, HTML) and exports (XLSX, QDPX) written"
# The accurate pass (ONNX Runtime and models/encoder), with the network cut off where this
# machine allows a private network namespace: it must refine the comments, classify a CSV,
# and leave no ONNX Runtime usage-event queue behind (the launcher turns its telemetry off).
cat > "$WORK/few.csv" <<'CSV'
id,comment
1,The bus to the hospital only runs twice a day and never on Sundays.
2,My GP surgery found me an appointment the same morning. Brilliant.
3,Could the clinic open on Saturday mornings for people who work?
CSV
NONET=""
if unshare -rn true 2>/dev/null; then NONET="unshare -rn"; fi
run() { env -i HOME="$WORK" PATH=/usr/bin:/bin LANG=C.UTF-8 $NONET "$BUNDLE/engage" "$@"; }
run new "$WORK/few.engage" >/dev/null
run import "$WORK/few.engage" "$WORK/few.csv" --text-column comment >/dev/null
run analyse "$WORK/few.engage" | grep -q "with the accurate model" \
  || { echo "smoke test: the accurate pass did not run" >&2; exit 1; }
run classify --input "$WORK/few.csv" --text-column comment --out "$WORK/few_out.csv" >/dev/null
head -1 "$WORK/few_out.csv" | grep -q "themes,sentiment,kind" \
  || { echo "smoke test: classify wrote no themes, sentiment and kind" >&2; exit 1; }
test ! -e "$WORK/.cache/Microsoft" \
  || { echo "smoke test: ONNX Runtime telemetry is on" >&2; exit 1; }
echo "smoke test: accurate pass ran${NONET:+ with no network}; no telemetry queue"
# The window: on a real X server when xvfb-run is here (the xcb plugin and its libraries are
# what a desktop loads), else offscreen.
if command -v xvfb-run >/dev/null 2>&1; then
  xvfb-run -a sh -c 'env -i HOME="$1" PATH=/usr/bin:/bin DISPLAY="$DISPLAY" \
    XAUTHORITY="${XAUTHORITY:-}" QT_QPA_PLATFORM=xcb "$2/engage-gui" --smoke-test "$1/demo.engage"' \
    _ "$WORK" "$BUNDLE"
else
  env -i HOME="$WORK" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen \
    "$BUNDLE/engage-gui" --smoke-test "$WORK/demo.engage"
fi
echo "smoke test: bundle at $BUNDLE passed ($(du -sh "$BUNDLE" | cut -f1)iB unpacked)"
