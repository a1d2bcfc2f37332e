#!/usr/bin/env bash
# The C suites of liballot, as an ERP's build would meet the library:
#   1. build the release libraries (cargo build --release -p allot-ffi);
#   2. compile include/allot.h on its own (C11 and C17 with -pedantic, and as C++ if a C++
#      compiler is installed): the header is self-contained;
#   3. compile the cmocka suites in ffi/tests/c twice with -Wall -Wextra -Werror -std=c11
#      -pedantic, once linked to liballot.so and once to liballot.a, and run both;
#   4. run the shared build again under valgrind: zero errors and zero definite, indirect or
#      possible leaks (three kinds of process-lifetime blocks are suppressed, each explained in
#      ffi/tests/c/valgrind.supp);
#   5. install into a temporary prefix with ffi/install.sh, then build ffi/examples/erp.c with
#      `cc $(pkg-config --cflags --libs allot)` against it (and statically with --static) and run it.
# Needs cc, cmocka (libcmocka-dev), valgrind (whose valgrind.h fork.c includes) and pkg-config:
# tests/install-deps.sh installs them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

target="${CARGO_TARGET_DIR:-target}"
case "$target" in
/*) ;;
*) target="$root/$target" ;;
esac
lib="$target/release"
build="$target/ffi-tests"
mkdir -p "$build"
cc="${CC:-cc}"
cflags=(-Wall -Wextra -Werror -std=c11 -pedantic -g -O1)
# What a Rust static library needs from the system (`--print native-static-libs`).
static_libs=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
passed=0

step() { printf '\n== %s\n' "$*"; }

step "cargo build --release -p allot-ffi"
cargo build --release -p allot-ffi
test -f "$lib/liballot.so" && test -f "$lib/liballot.a"

step "include/allot.h compiles on its own"
for std in c11 c17; do
    printf '#include "allot.h"\n' | "$cc" -Wall -Wextra -Werror -pedantic -std="$std" -Iinclude -fsyntax-only -x c -
done
if command -v c++ >/dev/null; then
    printf '#include "allot.h"\n' | c++ -Wall -Wextra -Werror -pedantic -std=c++11 -Iinclude -fsyntax-only -x c++ -
fi
passed=$((passed + 1))

step "cmocka suites against liballot.so and liballot.a"
sources=(ffi/tests/c/*.c)
"$cc" "${cflags[@]}" -Iinclude "${sources[@]}" -L"$lib" -l:liballot.so -Wl,-rpath,"$lib" \
    -lcmocka -lpthread -o "$build/allot_tests_shared"
"$cc" "${cflags[@]}" -Iinclude "${sources[@]}" "$lib/liballot.a" -lcmocka "${static_libs[@]}" \
    -o "$build/allot_tests_static"
# The static build must not depend on liballot.so.
if ldd "$build/allot_tests_static" | grep -q liballot; then
    echo "allot_tests_static is linked to liballot.so" >&2
    exit 1
fi
(cd "$build" && ./allot_tests_shared)
passed=$((passed + 1))
(cd "$build" && ./allot_tests_static)
passed=$((passed + 1))

step "valgrind: no errors, no definite, indirect or possible leaks"
# "Still reachable" blocks are tolerated: process-lifetime globals of the Rust runtime and the
# engine's dependencies (parking_lot's thread hash table, ahash's random source, a few std
# thread-locals), allocated once per process and never lost. run.sh prints their total.
(cd "$build" && valgrind --quiet --error-exitcode=99 --leak-check=full \
    --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
    --suppressions="$root/ffi/tests/c/valgrind.supp" ./allot_tests_shared)
passed=$((passed + 1))

step "install into a temporary prefix; build and run ffi/examples/erp.c with pkg-config"
prefix="$(mktemp -d "${TMPDIR:-/tmp}/allot-prefix.XXXXXX")"
trap 'rm -rf "$prefix"' EXIT
ffi/install.sh "$prefix"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pkg-config --exists --print-errors allot
# shellcheck disable=SC2046 # pkg-config's output is a list of words
"$cc" "${cflags[@]}" -o "$build/erp" ffi/examples/erp.c $(pkg-config --cflags --libs allot)
LD_LIBRARY_PATH="$prefix/lib" "$build/erp" "$build/erp-data"
rm -rf "$build/erp-data"
# The same program linked statically: liballot.a and the system libraries pkg-config lists.
# shellcheck disable=SC2046
"$cc" "${cflags[@]}" -o "$build/erp-static" ffi/examples/erp.c \
    $(pkg-config --cflags allot) "$prefix/lib/liballot.a" $(pkg-config --libs-only-l --static allot | sed 's/-lallot//')
"$build/erp-static" "$build/erp-data"
rm -rf "$build/erp-data"
passed=$((passed + 1))

printf '\nffi/tests/run.sh: %d passed, 0 failed\n' "$passed"
