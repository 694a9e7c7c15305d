# Sourced by the bench scripts: builds the release binary into $BK and finds
# GNU time (installing it when apt is available) into $TIME_BIN.
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
echo "== building bulkhead (release)"
cargo build --release -q -p bulkhead
BK="$TARGET_DIR/release/bulkhead"
TIME_BIN=""
if [ -x /usr/bin/time ]; then TIME_BIN=/usr/bin/time;
elif command -v apt-get >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; then TIME_BIN=/usr/bin/time; fi
