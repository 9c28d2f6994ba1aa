# Installs an uploaded, not yet trusted app tarball as releases/<version>/ and switches current
# to it. Runs under the host lock. Prints `step=NAME` as each step starts; on failure `fail=NAME`
# and `why=…`, exit 1. The restart and health check that follow are the jump host's (they run
# as the login user, never here).
LC_ALL=C; export LC_ALL
offgo_pick_tools
umask 022
app_paths
step() { kv step "$1"; }
tmp=
fail() {
  kv fail "$1"
  shift
  kv why "$(printf '%s' "$*" | head -c 4000)"
  [ -n "$tmp" ] && rm -rf "$tmp"
  rm -f "$app_state.offgo-new"
  exit 1
}
trap '[ -n "$tmp" ] && rm -rf "$tmp"; exit 1' HUP INT TERM PIPE

step clean
for c in "$app_releases"/.offgo-new-* "$app_releases"/*.offgo-old "$app_current.offgo-new" "$app_state.offgo-new"; do
  [ -e "$c" ] || [ -L "$c" ] || continue
  rm -rf "$c" && kv cleaned "$c"
done

step check_tarball
[ -f "$app_tarball" ] || fail check_tarball "the upload $app_tarball is missing: push again"
actual=$(app_digest "$app_tarball")
if [ "$actual" != "$sha256" ]; then
  rm -f "$app_tarball"
  fail check_tarball "sha256 of $app_tarball is $actual, the bundle says $sha256"
fi

step check_sums
actual=$(app_digest "$app_sums")
if [ "$actual" != "$tree_digest" ]; then
  rm -f "$app_sums"
  fail check_sums "the uploaded file list $app_sums has digest $actual, the signed manifest's tree_digest is $tree_digest"
fi
actual=$(app_digest "$app_manifest")
if [ "$actual" != "$manifest_sha256" ]; then
  rm -f "$app_manifest"
  fail check_sums "the uploaded manifest $app_manifest has sha256 $actual, not the bundle's $manifest_sha256"
fi

step extract
tmp="$app_releases/.offgo-new-$version-$$"
rm -rf "$tmp"
mkdir -p "$tmp" || fail extract "cannot create $tmp"
untar_gz "$app_tarball" "$tmp" --no-same-owner || fail extract "tar: $offgo_out (is the disk full?)"
{ cp "$app_sums" "$tmp/.offgo-sha256sums" &&
  printf '%s\n' "$tree_digest" > "$tmp/.offgo-tree-digest" &&
  cp "$app_manifest" "$tmp/.offgo-app.toml"; } || fail extract "cannot record the file list and manifest (is the disk full?)"

step check_tree
app_check_tree "$tmp" || fail check_tree "files differ from the bundle: $app_why"
kv host_tools "$offgo_sha $offgo_gz"

step place
# The same version again (a repair): the old tree goes aside for the instant of the rename; a
# running service keeps its open binary.
if [ -e "$app_target" ] || [ -L "$app_target" ]; then
  rm -rf "$app_target.offgo-old"
  mv "$app_target" "$app_target.offgo-old" || fail place "cannot move the old $app_target aside"
fi
if ! mv "$tmp" "$app_target"; then
  [ -e "$app_target.offgo-old" ] && mv "$app_target.offgo-old" "$app_target"
  fail place "cannot move the new tree to $app_target"
fi
tmp=
rm -rf "$app_target.offgo-old"

step switch
mkdir -p "$(dirname "$app_state")"
printf '%s\n' "$state_json" > "$app_state.offgo-new" || fail switch "cannot write $app_state.offgo-new"
# From here the change completes: signals are ignored. current and the state change together,
# one rename each, back to back.
trap '' HUP INT TERM PIPE
kv previous_target "$(readlink "$app_current" 2>/dev/null)"
app_relink "$app_target" || fail switch "cannot switch $app_current"
mv -f "$app_state.offgo-new" "$app_state" || fail switch "cannot write $app_state"

step prune
for old in $prune; do
  case "$old" in
    */* | .* | "") continue ;;
  esac
  [ "$app_releases/$old" = "$app_target" ] && continue
  [ -e "$app_releases/$old" ] || continue
  rm -rf "$app_releases/$old" && kv pruned "$old"
done
rm -f "$app_tarball" "$app_sums" "$app_manifest"
kv done 1
