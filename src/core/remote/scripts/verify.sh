# Verification of the active release: each check reported separately as
# `check=NAME`, `ok=0|1`, `detail=…` (evidence, a few lines at most).
LC_ALL=C; export LC_ALL
GOTOOLCHAIN=local; export GOTOOLCHAIN
# Every value through `kv` (the prelude): the evidence quotes host content (go version's output,
# the profile, sha256sum's complaints), which must not start lines of its own.
report() { kv check "$1"; kv ok "$2"; kv detail "$(printf '%s' "$3" | head -n 20 | tr '\n' '|' | head -c 2000)"; }

target=$(readlink "$go_root" 2>/dev/null)
# The list itself must be the one installed (its digest was recorded then), or an edited list
# could hide edited files.
recorded=$(head -n 1 "$target/../tree_digest" 2>/dev/null)
listed=$(sha256sum < "$target/../sha256sums" 2>/dev/null | cut -c 1-64)
if [ -L "$go_root" ] && [ -f "$target/../sha256sums" ] && [ -n "$recorded" ] && [ "$listed" != "$recorded" ]; then
  report tree 0 "$(dirname "$target")/sha256sums was edited after install: its digest is $listed, $recorded was recorded"
elif [ -L "$go_root" ] && [ -f "$target/../sha256sums" ]; then
  out=$(cd "$target/.." && sha256sum -c --quiet sha256sums 2>&1)
  if [ $? -eq 0 ]; then report tree 1 "every file of $(dirname "$target")/go matches its bundle"; else report tree 0 "$out"; fi
elif [ -d "$go_root" ] && [ ! -L "$go_root" ]; then
  report tree 0 "$go_root is a hand-installed directory, not managed by offgo: push a bundle to manage it"
elif [ ! -e "$go_root" ]; then
  report tree 0 "$go_root does not exist"
else
  report tree 0 "no sha256sums next to $target: cannot check the tree"
fi

go_version "$go_root"
out=$offgo_out
case "$out" in
  "go version $expected "*) report go_version 1 "${offgo_not_run:-$out}" ;;
  *) report go_version 0 "expected $expected (state.json current), go version printed: $out" ;;
esac

if [ -f "$profile_script" ]; then
  if [ "$(cat "$profile_script"; echo x)" = "$(printf '%s' "$profile"; echo x)" ]; then
    report profile 1 "$profile_script has the expected content"
  else
    report profile 0 "$profile_script differs from what offgo writes: $(head -c 300 "$profile_script")"
  fi
else
  report profile 0 "$profile_script is missing"
fi
echo "verify_end=1"
