# Installs an uploaded, not yet trusted tarball as releases/<version>/go and switches go_root to
# it. Runs under the host lock. Prints `step=NAME` as each step starts; on failure `fail=NAME`
# and `why=…`, exit 1. The switch is the last change; until then the active Go is untouched,
# and a failed check after the switch switches back.
LC_ALL=C; export LC_ALL
GOTOOLCHAIN=local; export GOTOOLCHAIN
umask 022
step() { echo "step=$1"; }
fail() {
  echo "fail=$1"
  shift
  printf 'why=%s\n' "$*" | head -c 4000
  echo
  [ -n "${tmp:-}" ] && rm -rf "$tmp"
  exit 1
}
tmp=

step check_tarball
actual=$(sha256sum "$tarball" 2>&1 | cut -d ' ' -f 1)
[ "$actual" = "$sha256" ] || fail check_tarball "sha256 of $tarball is $actual, the bundle says $sha256"

step extract
tmp="$releases_dir/.offgo-new-$version-$$"
rm -rf "$tmp"
mkdir -p "$tmp" || fail extract "cannot create $tmp"
out=$(tar -xzf "$tarball" -C "$tmp" --no-same-owner 2>&1) || fail extract "tar: $out (is the disk full?)"
[ -d "$tmp/go" ] || fail extract "the tarball has no go/ directory"
cp "$sums" "$tmp/sha256sums" || fail extract "cannot copy the sha256sums (is the disk full?)"

step check_tree
out=$(cd "$tmp" && sha256sum -c --quiet sha256sums 2>&1) || fail check_tree "files differ from the bundle: $out"

step check_go_version
out=$("$tmp/go/bin/go" version 2>&1 | head -n 1)
case "$out" in
  "go version $version "*) ;;
  *) fail check_go_version "the new tree's go version printed: $out" ;;
esac

step place
dest="$releases_dir/$version"
if [ -e "$dest" ]; then
  # Not active (pushing the active version is a no-op decided on the jump host): replace it
  # with the tree just verified.
  rm -rf "$dest.offgo-old" && mv "$dest" "$dest.offgo-old" || fail place "cannot move the old $dest aside"
fi
mv "$tmp" "$dest" || fail place "cannot move the new tree to $dest"
tmp=
rm -rf "$dest.offgo-old"

if [ -d "$go_root" ] && [ ! -L "$go_root" ]; then
  step adopt
  adopt_dest="$releases_dir/$adopt_version"
  if [ ! -e "$adopt_dest/go" ]; then
    mkdir -p "$adopt_dest" || fail adopt "cannot create $adopt_dest"
    cp -a "$go_root" "$adopt_dest/go.offgo-copy" || { rm -rf "$adopt_dest/go.offgo-copy"; fail adopt "cannot copy $go_root to $adopt_dest (is the disk full?)"; }
    mv "$adopt_dest/go.offgo-copy" "$adopt_dest/go" || fail adopt "cannot place $adopt_dest/go"
    # No bundle came with it: record its checksums as adopted, so verify can tell later changes.
    (cd "$adopt_dest" && find go -type f -exec sha256sum {} + > sha256sums.offgo-new && mv sha256sums.offgo-new sha256sums) \
      || fail adopt "cannot record checksums of the adopted tree (is the disk full?)"
  fi
fi

step switch
ln -sfn "$dest/go" "$go_root.offgo-new" || fail switch "cannot create a link next to $go_root"
if [ -d "$go_root" ] && [ ! -L "$go_root" ]; then
  # The hand-installed tree is safe in releases/; move it aside for the instant of the switch.
  mv "$go_root" "$go_root.offgo-adopted-$$" || fail switch "cannot move the hand-installed $go_root aside"
  if ! mv -T "$go_root.offgo-new" "$go_root"; then
    mv "$go_root.offgo-adopted-$$" "$go_root"
    fail switch "cannot switch $go_root"
  fi
  rm -rf "$go_root.offgo-adopted-$$"
else
  mv -T "$go_root.offgo-new" "$go_root" || fail switch "cannot switch $go_root"
fi

switch_back() {
  if [ -n "$previous_target" ] && [ -d "$previous_target" ]; then
    ln -sfn "$previous_target" "$go_root.offgo-new" && mv -T "$go_root.offgo-new" "$go_root" && echo "switched_back=$previous_target"
  fi
}

step post_verify
out=$("$go_root/bin/go" version 2>&1 | head -n 1)
case "$out" in
  "go version $version "*) ;;
  *) switch_back; fail post_verify "after the switch, go version printed: $out" ;;
esac

step profile
printf '%s' "$profile" > "$profile_script.offgo-new" && mv -f "$profile_script.offgo-new" "$profile_script" \
  || { switch_back; fail profile "cannot write $profile_script"; }

step state
mkdir -p "$(dirname "$state_file")"
printf '%s\n' "$state_json" > "$state_file.offgo-new" && mv -f "$state_file.offgo-new" "$state_file" \
  || { switch_back; fail state "cannot write $state_file"; }

step prune
for old in $prune; do
  case "$old" in
    */*|.*|"") continue ;;
  esac
  [ "$releases_dir/$old/go" = "$(readlink "$go_root")" ] && continue
  rm -rf "$releases_dir/$old" && echo "pruned=$old"
done
rm -f "$tarball" "$sums"
echo "done=1"
