#!/usr/bin/env bash
# Installs liballot for C programs: `ffi/install.sh PREFIX` builds the release library
# (cargo build --release -p allot-ffi, into ${CARGO_TARGET_DIR:-target}) and copies
#   liballot.so, liballot.a  -> PREFIX/lib
#   include/allot.h          -> PREFIX/include
#   allot.pc (filled in)     -> PREFIX/lib/pkgconfig
# Then: PKG_CONFIG_PATH=PREFIX/lib/pkgconfig cc app.c $(pkg-config --cflags --libs allot)
# (and LD_LIBRARY_PATH=PREFIX/lib, or ldconfig, unless PREFIX is a system prefix).
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 PREFIX" >&2
    exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"

target="${CARGO_TARGET_DIR:-target}"
case "$target" in
/*) ;;
*) target="$root/$target" ;;
esac

cargo build --release -p allot-ffi
# "path+file:///.../ffi#allot-ffi@0.1.0" or ".../ffi#0.1.0": the version follows the last @ or #.
pkgid="$(cargo pkgid -p allot-ffi)"
version="${pkgid##*[@#]}"
# What a Rust static library needs from the system, as rustc reports it for this target.
native_static_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

install -d "$prefix/lib/pkgconfig" "$prefix/include"
install -m 0755 "$target/release/liballot.so" "$prefix/lib/liballot.so"
install -m 0644 "$target/release/liballot.a" "$prefix/lib/liballot.a"
install -m 0644 include/allot.h "$prefix/include/allot.h"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" -e "s|@NATIVE_STATIC_LIBS@|$native_static_libs|" \
    ffi/allot.pc.in >"$prefix/lib/pkgconfig/allot.pc"
echo "installed liballot $version into $prefix"
