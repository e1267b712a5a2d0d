#!/usr/bin/env bash
# Make sure lindera-ipadic finds a ready-built IPADIC in its build cache, so
# `cargo build` never needs to download it.
#
# lindera-ipadic's build.rs (via lindera_dictionary::assets::fetch) skips its
# download when
#   $LINDERA_BUILD_DICTIONARY_CACHE_DIR/<lindera-ipadic version>-fmt<N>/lindera-ipadic/metadata.json
# declares format_version N (lindera_dictionary::DICTIONARY_FORMAT_VERSION)
# and otherwise equals the crate's own metadata.json. .cargo/config.toml points
# that variable at <repo>/.cache/lindera.
#
# If the cache is valid this exits at once. Otherwise it builds the dictionary
# offline from Debian's mecab-ipadic (EUC-JP sources, converted to UTF-8) with
# lindera's own DictionaryBuilder (helper crate scripts/dictbuild), into a temp
# dir that is renamed into place, so an interrupted run never leaves half a
# cache. Debian ships mecab-ipadic 2.7.0-20070801 (+ the 令和 entry); lindera
# downloads its 2.7.0-20250920 re-release. Segmentation can differ in rare
# cases.
#
# Environment:
#   LINDERA_BUILD_DICTIONARY_CACHE_DIR  cache root (absolute; default <repo>/.cache/lindera)
#   MECAB_IPADIC_DIR                    EUC-JP IPADIC sources (default /usr/share/mecab/dic/ipadic)
#   CARGO_TARGET_DIR                    helper builds in $CARGO_TARGET_DIR/dictbuild (default <repo>/target)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CARGO=${CARGO:-cargo}
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
MECAB_IPADIC_DIR=${MECAB_IPADIC_DIR:-/usr/share/mecab/dic/ipadic}

log() { printf 'offline-dictionary: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

CACHE_ROOT=${LINDERA_BUILD_DICTIONARY_CACHE_DIR:-$ROOT/.cache/lindera}
case $CACHE_ROOT in
    /*) ;;
    *) die "LINDERA_BUILD_DICTIONARY_CACHE_DIR must be absolute (got '$CACHE_ROOT'); lindera resolves relative paths against its own crate dir" ;;
esac

# --- versions, from Cargo.lock -------------------------------------------------
lock_version() {
    awk -v want="name = \"$1\"" '
        $0 == want { found = 1; next }
        found && /^version = / { gsub(/^version = "|"$/, ""); print; exit }
        /^\[\[package\]\]/ { found = 0 }' "$ROOT/Cargo.lock"
}
[[ -f $ROOT/Cargo.lock ]] || die "no Cargo.lock in $ROOT"
IPADIC_VER=$(lock_version lindera-ipadic)
DICT_VER=$(lock_version lindera-dictionary)
[[ -n $IPADIC_VER && -n $DICT_VER ]] || die "lindera-ipadic / lindera-dictionary not found in Cargo.lock"

# --- crate sources (metadata.json, format version) --------------------------------
registry_src() { # <name> <version>: unpacked crate dir in the cargo registry, if any
    local d
    for d in "$CARGO_HOME"/registry/src/*/"$1-$2"; do
        [[ -f $d/Cargo.toml ]] && { printf '%s\n' "$d"; return 0; }
    done
    return 1
}
metadata_src() { # fallback for vendored / replaced sources: ask cargo
    local json
    json=$(cd "$ROOT" && { "$CARGO" metadata --format-version 1 --locked --offline 2>/dev/null ||
        "$CARGO" metadata --format-version 1 --locked; }) || return 1
    if command -v jq >/dev/null; then
        jq -r --arg n "$1" --arg v "$2" \
            '.packages[] | select(.name == $n and .version == $v) | .manifest_path' <<<"$json"
    else
        python3 -c 'import json,sys; n,v=sys.argv[1:]; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"]==n and p["version"]==v))' \
            "$1" "$2" <<<"$json"
    fi | sed -n '1s|/Cargo.toml$||p'
}
crate_src() {
    registry_src "$1" "$2" && return 0
    # Not unpacked yet (fresh CARGO_HOME): fetch/unpack from the local cache
    # first, then from the registry.
    (cd "$ROOT" && { "$CARGO" fetch --locked --offline 2>/dev/null || "$CARGO" fetch --locked; }) >&2 || true
    registry_src "$1" "$2" && return 0
    metadata_src "$1" "$2"
}
IPADIC_SRC=$(crate_src lindera-ipadic "$IPADIC_VER") || true
[[ -n ${IPADIC_SRC:-} && -f $IPADIC_SRC/metadata.json ]] ||
    die "cannot locate lindera-ipadic $IPADIC_VER sources (run 'cargo fetch')"
DICT_SRC=$(crate_src lindera-dictionary "$DICT_VER") || true
SOURCE_METADATA=$IPADIC_SRC/metadata.json

FORMAT_VERSION=
if [[ -n ${DICT_SRC:-} && -f $DICT_SRC/src/dictionary/metadata.rs ]]; then
    FORMAT_VERSION=$(sed -n 's/^pub const DICTIONARY_FORMAT_VERSION: u32 = \([0-9][0-9]*\);.*/\1/p' \
        "$DICT_SRC/src/dictionary/metadata.rs")
fi

# --- fast path -----------------------------------------------------------------------
EMBEDDED_FILES=(char_def.bin matrix.mtx dict.trie dict.valsidx dict.vals unk.bin dict.wordsidx dict.words metadata.json)

# Cheap, conservative version of lindera's cache check: every embedded file is
# present, format_version matches, and every field of the crate's
# metadata.json has the same value in the cached one. Anything uncertain
# answers "no" and falls through to the exact check done by the helper.
quick_valid() { # <dir>
    local dir=$1 f
    [[ -n $FORMAT_VERSION ]] || return 1
    for f in "${EMBEDDED_FILES[@]}"; do [[ -s $dir/$f ]] || return 1; done
    if command -v jq >/dev/null; then
        jq -e --argjson fmt "$FORMAT_VERSION" --slurpfile src "$SOURCE_METADATA" \
            '. as $c | .format_version == $fmt and ($src[0] | to_entries | all(.value == $c[.key]))' \
            "$dir/metadata.json" >/dev/null 2>&1
    elif command -v python3 >/dev/null; then
        python3 - "$dir/metadata.json" "$SOURCE_METADATA" "$FORMAT_VERSION" <<'PY' 2>/dev/null
import json, sys
cached, source = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
ok = cached.get("format_version") == int(sys.argv[3]) and all(cached.get(k) == v for k, v in source.items())
sys.exit(0 if ok else 1)
PY
    else
        return 1
    fi
}

if [[ -n $FORMAT_VERSION ]]; then
    OUT=$CACHE_ROOT/$IPADIC_VER-fmt$FORMAT_VERSION/lindera-ipadic
    if quick_valid "$OUT"; then
        log "cache OK: $OUT"
        exit 0
    fi
fi

# --- slow path: build the helper ---------------------------------------------------
START=$SECONDS
HELPER_DIR=$ROOT/scripts/dictbuild
HELPER_TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/dictbuild
case $HELPER_TARGET in /*) ;; *) HELPER_TARGET=$ROOT/$HELPER_TARGET ;; esac
HELPER_LOCKED=--locked
if ! grep -q "^lindera-dictionary = { version = \"=$DICT_VER\"" "$HELPER_DIR/Cargo.toml"; then
    # Cargo.lock moved to another lindera-dictionary: build a re-pinned copy,
    # resolved against the root Cargo.lock so no new crates are needed.
    log "re-pinning helper to lindera-dictionary $DICT_VER"
    STAGE=$HELPER_TARGET/src-$DICT_VER
    rm -rf "$STAGE" && mkdir -p "$STAGE"
    cp -R "$HELPER_DIR/src" "$STAGE/"
    sed "s/^lindera-dictionary = { version = \"=[^\"]*\"/lindera-dictionary = { version = \"=$DICT_VER\"/" \
        "$HELPER_DIR/Cargo.toml" >"$STAGE/Cargo.toml"
    cp "$ROOT/Cargo.lock" "$STAGE/Cargo.lock"
    HELPER_DIR=$STAGE
    HELPER_LOCKED=
fi
log "building helper (lindera-dictionary $DICT_VER, no download code) ..."
helper_build() {
    "$CARGO" build --release --quiet $HELPER_LOCKED --manifest-path "$HELPER_DIR/Cargo.toml" \
        --target-dir "$HELPER_TARGET" "$@"
}
helper_build --offline 2>/dev/null || helper_build || die "building $HELPER_DIR failed"
HELPER=$HELPER_TARGET/release/dictbuild

HELPER_FMT=$("$HELPER" format-version)
if [[ -n $FORMAT_VERSION && $FORMAT_VERSION != "$HELPER_FMT" ]]; then
    die "format version mismatch: source says $FORMAT_VERSION, helper says $HELPER_FMT"
fi
FORMAT_VERSION=$HELPER_FMT
BUILD_DIR=$CACHE_ROOT/$IPADIC_VER-fmt$FORMAT_VERSION
OUT=$BUILD_DIR/lindera-ipadic
mkdir -p "$BUILD_DIR"

# One builder at a time; the winner's result is then seen by the re-check.
if command -v flock >/dev/null; then
    exec 9>"$CACHE_ROOT/.lock"
    flock 9
fi
rm -rf "$BUILD_DIR"/.tmp-offline.* # leftovers of killed runs (we hold the lock)
if [[ -d $OUT ]] && "$HELPER" check "$SOURCE_METADATA" "$OUT" 2>/dev/null; then
    log "cache OK: $OUT"
    exit 0
fi

# --- IPADIC sources --------------------------------------------------------------------
have_sources() { [[ -f $MECAB_IPADIC_DIR/matrix.def && -f $MECAB_IPADIC_DIR/char.def && -f $MECAB_IPADIC_DIR/unk.def ]]; }
if ! have_sources && [[ $MECAB_IPADIC_DIR == /usr/share/mecab/dic/ipadic && $(id -u) == 0 ]] &&
    command -v apt-get >/dev/null; then
    log "installing Debian mecab-ipadic ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 </dev/null || log "apt-get update failed; trying the existing lists"
    apt-get install -y -qq --no-install-recommends mecab-ipadic >&2 </dev/null || true
fi
if ! have_sources; then
    url=$(grep -o 'https://[^"]*\.tar\.gz' "$IPADIC_SRC/build.rs" | head -n1 || true)
    if [[ -n $url ]] && command -v curl >/dev/null && curl -fsSI --max-time 15 "$url" >/dev/null 2>&1; then
        log "no IPADIC sources in $MECAB_IPADIC_DIR, but $url is reachable:"
        log "leaving it to lindera-ipadic's build script to download it into $BUILD_DIR"
        exit 0
    fi
    die "no IPADIC sources in $MECAB_IPADIC_DIR and no network; install Debian's mecab-ipadic (apt-get install mecab-ipadic) or set MECAB_IPADIC_DIR to EUC-JP mecab-ipadic sources"
fi

# --- build into a temp dir, then rename into place ---------------------------------
TMP=$(mktemp -d "$BUILD_DIR/.tmp-offline.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/src"
shopt -s nullglob
n=0
for f in "$MECAB_IPADIC_DIR"/*.csv "$MECAB_IPADIC_DIR"/*.def; do
    iconv -f EUC-JP -t UTF-8 "$f" >"$TMP/src/${f##*/}" || die "iconv failed on $f"
    n=$((n + 1))
done
log "converted $n files from $MECAB_IPADIC_DIR (EUC-JP -> UTF-8); building ..."
"$HELPER" build "$SOURCE_METADATA" "$TMP/src" "$TMP/lindera-ipadic"
{
    echo "built by scripts/offline-dictionary.sh from $MECAB_IPADIC_DIR"
    dpkg-query -W -f='debian package: ${Package} ${Version}\n' mecab-ipadic 2>/dev/null || true
    echo "lindera-ipadic $IPADIC_VER, lindera-dictionary $DICT_VER, format $FORMAT_VERSION"
} >"$TMP/lindera-ipadic/OFFLINE-BUILD.txt"

[[ ! -e $OUT ]] || mv -T "$OUT" "$TMP/stale"
mv -T "$TMP/lindera-ipadic" "$OUT"
"$HELPER" check "$SOURCE_METADATA" "$OUT" || die "built dictionary failed the cache check"
log "built $OUT in $((SECONDS - START))s"
