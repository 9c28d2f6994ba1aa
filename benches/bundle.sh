#!/usr/bin/env bash
# Times `bundle verify` and `bundle build` on the real go1.21.13 tarball against coreutils doing
# the same job, median of 3 warm runs each, and prints a small table.
# Targets: verify at least 4x faster than `sha256sum`; build no slower than `sha256sum` + `tar -xzf`.
# Usage: benches/bundle.sh [VERSION]   (builds the release example once)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-1.21.13}
tarball=$(scripts/go-release "$version")
name=$(basename "$tarball")
cargo build --release --quiet --example bundle
bin=(target/release/examples/bundle)
if target/release/offgo-tui bundle --help >/dev/null 2>&1; then bin=(target/release/offgo-tui bundle); fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$tarball" "$work/$name"
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
cat "$tarball" >/dev/null # warm the page cache

now_us() { echo "${EPOCHREALTIME/./}"; } # no fork, so nothing but the command is timed

# Times two commands (shell functions) in alternation, after one untimed warm-up of each, so
# that both see the same machine load; prints "MEDIAN_A MEDIAN_B" in milliseconds (of 3 runs).
compare_ms() {
  local a=() b=() t0 t1 t2
  "$1" >/dev/null; "$2" >/dev/null
  for _ in 1 2 3; do
    t0=$(now_us); "$1" >/dev/null; t1=$(now_us); "$2" >/dev/null; t2=$(now_us)
    a+=($(( (t1 - t0) / 1000 ))); b+=($(( (t2 - t1) / 1000 )))
  done
  echo "$(median "${a[@]}") $(median "${b[@]}")"
}
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# tar extracts into tmpfs when there is one: the fastest tar can be, so the strictest baseline.
untar_dir=$work/x
if [ -d /dev/shm ] && [ -w /dev/shm ]; then untar_dir=$(mktemp -d -p /dev/shm); trap 'rm -rf "$work" "$untar_dir"' EXIT; fi
untar() { rm -rf "$untar_dir"; mkdir -p "$untar_dir"; tar -xzf "$tarball" -C "$untar_dir"; }
coreutils_build() { sha256sum "$tarball"; untar; }
coreutils_verify() { sha256sum "$tarball"; }
offgo_build() { "${bin[@]}" build "$work/$name" --sha256 "$sum"; }
offgo_build_copy() { "${bin[@]}" build "$tarball" --sha256 "$sum" --out "$work/out"; }
offgo_verify() { "${bin[@]}" verify "$work/$name"; }

offgo_build >/dev/null 2>&1 # the sidecars verify reads
read -r sha_ms verify_ms < <(compare_ms coreutils_verify offgo_verify)
read -r core_build_ms build_ms < <(compare_ms coreutils_build offgo_build)
read -r untar_ms build_copy_ms < <(compare_ms untar offgo_build_copy)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.1fx", a / b }'; }
grep -qw sha_ni /proc/cpuinfo && cpu="SHA-NI present" || cpu="no SHA-NI"
size=$(stat -c %s "$tarball")
echo "bundle bench: $name, $((size / 1048576)) MiB, $(nproc) cores, $cpu; median of 3 warm runs"
printf '%-44s %8s\n' "command" "ms"
printf '%-44s %8s\n' "sha256sum TARBALL" "$sha_ms"
printf '%-44s %8s   %s faster than sha256sum (target >= 4x)\n' "bundle verify" "$verify_ms" "$(ratio "$sha_ms" "$verify_ms")"
printf '%-44s %8s\n' "tar -xzf TARBALL (into $(dirname "$untar_dir"))" "$untar_ms"
printf '%-44s %8s\n' "sha256sum TARBALL + tar -xzf TARBALL" "$core_build_ms"
printf '%-44s %8s   %s faster than sha256sum + tar (target >= 1x)\n' "bundle build (sidecars next to tarball)" "$build_ms" "$(ratio "$core_build_ms" "$build_ms")"
printf '%-44s %8s\n' "bundle build --out DIR (copies the tarball)" "$build_copy_ms"
