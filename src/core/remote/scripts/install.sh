# Installs an uploaded, not yet trusted tarball as releases/<version>/go and switches go_root to
# it. Runs under the host lock. Prints `step=NAME` as each step starts; on failure `fail=NAME`
# and `why=…`, exit 1. Any step may be cut short and the push run again: leftovers of earlier
# runs are cleared first, the active Go is untouched until the switch (one rename), and a failed
# check after it switches back, saying whether that worked (`switched_back` or
# `switch_back_failed`).
LC_ALL=C; export LC_ALL
offgo_pick_tools
GOTOOLCHAIN=local; export GOTOOLCHAIN
umask 022
step() { kv step "$1"; }
tmp=
# The tree receive.sh unpacked as the upload arrived (one pass), not used until its hash is proven.
stream="$releases_dir/.offgo-stream-$version"
fail() {
  kv fail "$1"
  shift
  kv why "$(printf '%s' "$*" | head -c 4000)"
  [ -n "$tmp" ] && rm -rf "$tmp"
  rm -rf "$stream"
  rm -f "$state_file.offgo-new" "$profile_script.offgo-new" "$env_profile.offgo-new"
  exit 1
}
# Cut short before the switch (ctrl-c, a dropped connection): drop the tree being built. What
# a killed shell leaves, the next run's clean step removes.
trap '[ -n "$tmp" ] && rm -rf "$tmp"; rm -rf "$stream"; exit 1' HUP INT TERM PIPE

go_works() {
  go_version "$go_root"
  case $offgo_out in "go version go"*) return 0 ;; esac
  return 1
}

# After a failed check past the switch: back to what ran before, proven by its `go version`,
# with the state.json that went with it.
switch_back() {
  if [ -n "$previous_target" ] && relink "$previous_target" && restore_state && go_works; then
    kv switched_back "$previous_target"
    return 0
  fi
  aside="$go_root.offgo-adopted-$$"
  if [ -d "$aside" ] && [ -L "$go_root" ] && rm -f "$go_root" && mv "$aside" "$go_root" &&
    restore_state && go_works; then
    kv switched_back "$go_root"
    return 0
  fi
  if [ -z "$previous_target" ]; then
    kv switch_back_failed "there was no working Go before this push; $go_root stays on $version"
  else
    kv switch_back_failed "could not switch $go_root back to $previous_target; it now runs: $(readlink "$go_root" 2>/dev/null)"
  fi
  return 1
}

step clean
offgo_keep=$stream
clean_leftovers
offgo_keep=
for c in "$incoming"/* "$incoming"/.[!.]*; do
  [ -e "$c" ] || [ -L "$c" ] || continue
  case $c in "$tarball" | "$sums") continue ;; esac
  rm -rf "$c" && kv cleaned "$c"
done

step check_tarball
[ -f "$tarball" ] || fail check_tarball "the upload $tarball is missing: push again"
# The hash receive.sh took of the bytes it unpacked as they arrived: when this push sent them
# (`streamed`) and the hash is the bundle's, that tree is the tarball's and the tarball is not
# read again. Anything else (a tree an earlier run left or someone planted, a link, a garbled
# or missing hash, a hash that is not the bundle's) is dropped and the tarball itself is read:
# the verdict is always about the tarball.
stream_hash=
if [ "$streamed" = 1 ] && [ -d "$stream" ] && [ ! -L "$stream" ] && [ -d "$stream/tree" ] &&
  [ ! -L "$stream/tree" ] && [ -f "$stream/sha256" ] && [ ! -L "$stream/sha256" ]; then
  read -r stream_hash < "$stream/sha256" || stream_hash=
fi
if [ -n "$stream_hash" ] && [ "$stream_hash" = "$sha256" ]; then
  actual=$stream_hash
  kv one_pass 1
else
  stream_hash=
  rm -rf "$stream"
  actual=$(digest_of "$tarball")
fi
if [ "$actual" != "$sha256" ]; then
  rm -f "$tarball"
  fail check_tarball "sha256 of $tarball is $actual, the bundle says $sha256"
fi

step check_sums
actual=$(digest_of "$sums")
if [ "$actual" != "$tree_digest" ]; then
  rm -f "$sums"
  fail check_sums "the uploaded file list $sums has digest $actual, the signed manifest's tree_digest is $tree_digest"
fi

step extract
tmp="$releases_dir/.offgo-new-$version-$$"
rm -rf "$tmp"
if [ -n "$stream_hash" ]; then
  mv "$stream/tree" "$tmp" || fail extract "cannot move the unpacked tree to $tmp"
  rm -rf "$stream"
else
  mkdir -p "$tmp" || fail extract "cannot create $tmp"
  untar_gz "$tarball" "$tmp" --no-same-owner || fail extract "tar: $offgo_out (is the disk full?)"
fi
[ -d "$tmp/go" ] && [ ! -L "$tmp/go" ] || fail extract "the tarball has no go/ directory"
cp "$sums" "$tmp/sha256sums" || fail extract "cannot copy the sha256sums (is the disk full?)"
# The list the tree is checked against, and that verify checks later, is exactly the signed one.
[ "$(digest_of "$tmp/sha256sums")" = "$tree_digest" ] || fail extract "the copied file list differs from the signed one"
printf '%s\n' "$tree_digest" > "$tmp/tree_digest" || fail extract "cannot record the tree digest (is the disk full?)"

step check_tree
check_tree "$tmp" || fail check_tree "files differ from the bundle: $offgo_out"
kv host_tools "$offgo_sha $offgo_gz $offgo_tree_by"

step check_go_version
go_version "$tmp/go"
out=$offgo_out
case "$out" in
  "go version $version "*) [ -n "$offgo_not_run" ] && kv go_version_not_run "$offgo_not_run" ;;
  *) fail check_go_version "the new tree's go version printed: $out" ;;
esac

step place
dest="$releases_dir/$version"
if [ -e "$dest" ] || [ -L "$dest" ]; then
  if offgo_in_use "$dest"; then
    # go_root runs this release, whose files no longer match the bundle: run from a
    # hard-linked copy of the checked tree while the release is replaced, so Go never goes.
    hop="$releases_dir/.offgo-hop-$version-$$"
    rm -rf "$hop"
    { cp -al "$tmp" "$hop" 2>/dev/null || { rm -rf "$hop" && cp -a "$tmp" "$hop"; }; } ||
      fail place "cannot copy the new tree to $hop (is the disk full?)"
    trap '' HUP INT TERM PIPE
    relink "$hop/go" || fail place "cannot switch $go_root to $hop/go"
    previous_target="$dest.offgo-old/go"
  fi
  rm -rf "$dest.offgo-old"
  mv "$dest" "$dest.offgo-old" || fail place "cannot move the old $dest aside"
fi
if ! mv "$tmp" "$dest"; then
  [ -e "$dest.offgo-old" ] && mv "$dest.offgo-old" "$dest"
  fail place "cannot move the new tree to $dest"
fi
tmp=

if [ -n "$adopt_version" ]; then
  step adopt
  adopt_dest="$releases_dir/$adopt_version"
  if [ ! -d "$adopt_dest/go" ]; then
    # The Go that runs now (a directory, or a link's target anywhere) becomes a release, so
    # rollback can return to it. No bundle came with it: its own checksums are recorded.
    [ -d "$go_root/" ] || fail adopt "$go_root no longer holds a Go tree"
    mkdir -p "$adopt_dest" || fail adopt "cannot create $adopt_dest"
    rm -rf "$adopt_dest/go.offgo-copy"
    cp -a "$go_root/." "$adopt_dest/go.offgo-copy" ||
      fail adopt "cannot copy $go_root to $adopt_dest (is the disk full?)"
    tree_sums "$adopt_dest/go.offgo-copy" > "$adopt_dest/sha256sums.offgo-new" &&
      digest_of "$adopt_dest/sha256sums.offgo-new" > "$adopt_dest/tree_digest.offgo-new" &&
      echo >> "$adopt_dest/tree_digest.offgo-new" &&
      mv -f "$adopt_dest/sha256sums.offgo-new" "$adopt_dest/sha256sums" &&
      mv -f "$adopt_dest/tree_digest.offgo-new" "$adopt_dest/tree_digest" ||
      fail adopt "cannot record checksums of the adopted tree (is the disk full?)"
    mv "$adopt_dest/go.offgo-copy" "$adopt_dest/go" || fail adopt "cannot place $adopt_dest/go"
  fi
fi

# The policy goes into the new release before it is switched to (go_env.sh): go.env (every go
# process reads it) now, the login profile and state.json's record with the switch.
step go_env
env_overlay "$dest/go" || fail go_env "$offgo_why"
if [ -f "$dest/go/go.env.offgo-new" ]; then
  mv -f "$dest/go/go.env.offgo-new" "$dest/go/go.env" || fail go_env "cannot write $dest/go/go.env"
fi
env_profile_new || fail go_env "$offgo_why"
state_json=$(with_record "$state_json")
kv go_env_sha256 "$go_env_sha256"

step switch
mkdir -p "$(dirname "$profile_script")"
printf '%s' "$profile" > "$profile_script.offgo-new" || fail switch "cannot write $profile_script.offgo-new"
mkdir -p "$(dirname "$state_file")"
printf '%s\n' "$state_json" > "$state_file.offgo-new" || fail switch "cannot write $state_file.offgo-new"
keep_state || fail switch "cannot keep a copy of $state_file (is the disk full?)"
mkdir -p "$(dirname "$go_root")"
# From here until state.json is written the change completes: signals are ignored. go_root and
# state.json change together, one rename each, back to back: a crash leaves them agreeing but
# for the instant between the two, which the next push repairs (it is no no-op then).
trap '' HUP INT TERM PIPE
if [ -d "$go_root" ] && [ ! -L "$go_root" ]; then
  # A real directory can't be replaced by a link in one rename: it is adopted or recorded
  # above; move it aside for the instant of the switch (clean_leftovers puts it back if
  # this shell dies in between).
  aside="$go_root.offgo-adopted-$$"
  rm -rf "$aside"
  mv "$go_root" "$aside" || fail switch "cannot move the hand-installed $go_root aside"
  if ! relink "$dest/go"; then
    mv "$aside" "$go_root"
    fail switch "cannot switch $go_root"
  fi
else
  relink "$dest/go" || fail switch "cannot switch $go_root"
fi
mv -f "$state_file.offgo-new" "$state_file" || { switch_back; fail switch "cannot write $state_file"; }
# The profile names go_root, not a release: the same for every version.
mv -f "$profile_script.offgo-new" "$profile_script" || { switch_back; fail switch "cannot write $profile_script"; }
env_profile_commit || { switch_back; fail switch "cannot write $env_profile"; }

step post_verify
go_version "$go_root"
out=$offgo_out
case "$out" in
  "go version $version "*) ;;
  *) switch_back; fail post_verify "after the switch, go version printed: $out" ;;
esac

step prune
for old in $prune; do
  case "$old" in
    */* | .* | "") continue ;;
  esac
  [ -e "$releases_dir/$old" ] || continue
  offgo_in_use "$releases_dir/$old" && continue
  rm -rf "$releases_dir/$old" && kv pruned "$old"
done
clean_leftovers
rm -f "$tarball" "$sums"

# go_shims, after the prune: a pruned release's shim goes with it.
step shims
write_shims || fail shims "$offgo_why"
kv done 1
