# Verification of the active release: each check reported separately as
# `check=NAME`, `ok=0|1`, `detail=…` (evidence, a few lines at most).
LC_ALL=C; export LC_ALL
offgo_pick_tools
GOTOOLCHAIN=local; export GOTOOLCHAIN
# Every value through `kv` (the prelude): the evidence quotes host content (go version's output,
# the profile, sha256sum's complaints), which must not start lines of its own.
report() { kv check "$1"; kv ok "$2"; kv detail "$(printf '%s' "$3" | head -n 20 | tr '\n' '|' | head -c 2000)"; }

target=$(readlink "$go_root" 2>/dev/null)
# The list itself must be the one installed (its digest was recorded then), or an edited list
# could hide edited files.
recorded=$(head -n 1 "$target/../tree_digest" 2>/dev/null)
listed=$(digest_of "$target/../sha256sums")
if [ -L "$go_root" ] && [ -f "$target/../sha256sums" ] && [ -n "$recorded" ] && [ "$listed" != "$recorded" ]; then
  report tree 0 "$(dirname "$target")/sha256sums was edited after install: its digest is $listed, $recorded was recorded"
elif [ -L "$go_root" ] && [ -f "$target/../sha256sums" ] && [ -n "$recorded" ] &&
  case " $proven_digests " in *" $recorded "*) true ;; *) false ;; esac; then
  # Right after a rollout's push of this very list: the push proved every file against it
  # (check_tree, before its switch) moments ago. The list is still the one recorded (above);
  # the files are not read a second time. A plain `verify` always reads them.
  report tree 1 "every file of $(dirname "$target")/go was checked against its bundle by this rollout's push, before its switch (not read again)"
  echo "tree_proven=1"
elif [ -L "$go_root" ] && [ -f "$target/../sha256sums" ]; then
  # go.env by its official lines: offgo's policy block after them is the go_env check's.
  if check_tree "$target/.."; then
    note=
    [ -n "$go_env_sha256" ] && note=" (go/go.env by its official lines; offgo's policy block after them is checked by go_env)"
    report tree 1 "every file of $(dirname "$target")/go matches its bundle$note"
  else
    report tree 0 "$offgo_out"
  fi
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
# The policy's files, for the go_env check (the jump host weighs them with [go_env], state.json's
# record and what the probe saw): each is what offgo recorded writing, the release's own, or
# neither (edited since).
if [ -f "$go_root/go.env" ]; then
  has=$(digest_of "$go_root/go.env")
  listed=$(grep '  go/go\.env$' "$target/../sha256sums" 2>/dev/null | cut -c 1-64)
  if [ -n "$go_env_sha256" ] && [ "$has" = "$go_env_sha256" ]; then
    kv go_env_file recorded
  elif [ -n "$listed" ] && [ "$has" = "$listed" ]; then
    kv go_env_file official
  else
    kv go_env_file edited
  fi
  kv go_env_file_sha256 "$has"
else
  kv go_env_file missing
fi
if [ -f "$env_profile" ]; then
  has=$(digest_of "$env_profile")
  if [ -n "$profile_sha256" ] && [ "$has" = "$profile_sha256" ]; then
    kv env_profile recorded
  else
    kv env_profile edited
  fi
  kv env_profile_sha256 "$has"
else
  kv env_profile missing
fi
echo "verify_end=1"
