#!/usr/bin/env bash
# Fails when a C++ file under native/ or bindings/ is not clang-formatted (.clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'native/*.cpp' 'native/*.h' 'bindings/*.cpp' 'bindings/*.h' 'native/**/*.cpp' 'native/**/*.h' | sort -u)
[ ${#files[@]} -eq 0 ] && exit 0
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} C++ files clean"
