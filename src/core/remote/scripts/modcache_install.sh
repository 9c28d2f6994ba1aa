# Installs an uploaded module-cache bundle as modcache_dir/<id> (the download cache's layout at
# its root) and switches `current` to it. Runs under the host lock. Prints `step=NAME` as each
# step starts; on failure `fail=NAME` and `why=…`, exit 1. The cache served now is untouched
# until the switch (one rename); a failure after it switches back (`switched_back`).
LC_ALL=C; export LC_ALL
offgo_pick_tools
umask 022
step() { kv step "$1"; }
tmp=
fail() {
  kv fail "$1"
  shift
  kv why "$(printf '%s' "$*" | head -c 4000)"
  [ -n "$tmp" ] && rm -rf "$tmp"
  rm -f "$modcache_state.offgo-new"
  exit 1
}
trap '[ -n "$tmp" ] && rm -rf "$tmp"; exit 1' HUP INT TERM PIPE
dest="$modcache_dir/$id"

step clean
mc_clean
for c in "$incoming"/* "$incoming"/.[!.]*; do
  [ -e "$c" ] || [ -L "$c" ] || continue
  case $c in "$tarball" | "$sums") continue ;; esac
  rm -rf "$c" && kv cleaned "$c"
done

step check_tarball
[ -f "$tarball" ] || fail check_tarball "the upload $tarball is missing: push again"
actual=$(mc_digest "$tarball")
if [ "$actual" != "$sha256" ]; then
  rm -f "$tarball"
  fail check_tarball "sha256 of $tarball is $actual, the bundle says $sha256"
fi

step check_sums
actual=$(mc_digest "$sums")
if [ "$actual" != "$tree_digest" ]; then
  rm -f "$sums"
  fail check_sums "the uploaded file list $sums has digest $actual, the signed manifest's tree_digest is $tree_digest"
fi

step extract
mkdir -p "$modcache_dir" || fail extract "cannot create $modcache_dir"
tmp="$modcache_dir/.offgo-new-$id-$$"
rm -rf "$tmp"
mkdir -p "$tmp" || fail extract "cannot create $tmp"
untar_gz "$tarball" "$tmp" --no-same-owner --no-same-permissions || fail extract "tar: $offgo_out (is the disk full?)"

step check_tree
out=$(mc_check_tree "$tmp" "$sums" "$tree_digest") || fail check_tree "files differ from the bundle: $out"
kv host_tools "$offgo_sha $offgo_gz"

step place
# The same cache already installed (a push after a cut-short one, or a repair): its files are
# replaced by the checked ones; while current serves it, current serves the checked copy.
if [ -e "$dest" ] || [ -L "$dest" ]; then
  if [ "$(readlink -f "$current" 2>/dev/null)" = "$(readlink -f "$dest")" ]; then
    trap '' HUP INT TERM PIPE
    mc_relink "$tmp" || fail place "cannot point $current at the checked copy"
  fi
  rm -rf "$dest.offgo-old"
  mv "$dest" "$dest.offgo-old" || fail place "cannot move the old $dest aside"
fi
mv "$tmp" "$dest" || fail place "cannot move the new tree to $dest"
tmp=
cp "$sums" "$dest.sha256sums.offgo-new" && mv -f "$dest.sha256sums.offgo-new" "$dest.sha256sums" &&
  printf '%s\n' "$tree_digest" > "$dest.tree_digest.offgo-new" &&
  mv -f "$dest.tree_digest.offgo-new" "$dest.tree_digest" ||
  fail place "cannot record the file list of $dest (is the disk full?)"

step switch
previous_target=$(readlink "$current" 2>/dev/null)
mkdir -p "$(dirname "$modcache_state")"
printf '%s\n' "$state_json" > "$modcache_state.offgo-new" || fail switch "cannot write $modcache_state.offgo-new"
had_state=
[ -f "$modcache_state" ] && old_state=$(cat "$modcache_state") && had_state=1
switch_back() {
  if [ -n "$previous_target" ] && mc_relink "$previous_target"; then
    if [ -n "$had_state" ]; then printf '%s\n' "$old_state" > "$modcache_state"; else rm -f "$modcache_state"; fi
    kv switched_back "$previous_target"
    return 0
  fi
  kv switch_back_failed "$current now serves: $(readlink "$current" 2>/dev/null)"
  return 1
}
# From here the change completes: signals are ignored. current and modcache.json change
# together, one rename each, back to back.
trap '' HUP INT TERM PIPE
mc_relink "$dest" || fail switch "cannot switch $current"
mv -f "$modcache_state.offgo-new" "$modcache_state" || { switch_back; fail switch "cannot write $modcache_state"; }

step post_verify
[ "$(readlink -f "$current")" = "$(readlink -f "$dest")" ] && [ -d "$current/" ] ||
  { switch_back; fail post_verify "after the switch $current does not serve $dest"; }

if [ -n "$athens_storage" ]; then
  step athens
  # Every module version of the bundle into Athens' disk storage, each version directory
  # built beside its final name and renamed into place: Athens sees a version whole or not
  # at all. A version Athens already holds with the same files is left as it is.
  [ -d "$athens_storage" ] && [ ! -L "$athens_storage" ] ||
    fail athens "$athens_storage is not a directory: Athens' disk storage root (ATHENS_DISK_STORAGE_ROOT) must exist; the module cache is switched, push again once it does"
  # Version directories an earlier run was building when it was cut short.
  find "$athens_storage" \( -name '.offgo-new-*' -o -name '*.offgo-old' \) -prune -exec rm -rf {} + 2>/dev/null
  plan="$athens_state.plan.offgo-new"
  mkdir -p "$(dirname "$athens_state")"
  mc_athens_plan "$dest.sha256sums" > "$plan.raw" ||
    fail athens "the bundle lists a path outside Athens' layout"
  sort -k2,2 "$plan.raw" > "$plan" && rm -f "$plan.raw" || fail athens "cannot write $plan (is the disk full?)"
  written=0 kept=0 last=
  finish_version() {
    [ -n "$last" ] || return 0
    final="$athens_storage/$last"
    if [ -d "$final" ] && mc_same_dir "$vtmp" "$final"; then
      rm -rf "$vtmp"; kept=$((kept + 1)); return 0
    fi
    if [ -e "$final" ] || [ -L "$final" ]; then
      rm -rf "$final.offgo-old" && mv "$final" "$final.offgo-old" || return 1
    fi
    mv "$vtmp" "$final" && rm -rf "$final.offgo-old" && written=$((written + 1))
  }
  while read -r _hash apath cpath; do
    vdir=${apath%/*}
    if [ "$vdir" != "$last" ]; then
      finish_version || fail athens "cannot place $athens_storage/$last"
      last=$vdir
      mkdir -p "$athens_storage/${vdir%/*}" || fail athens "cannot create $athens_storage/${vdir%/*} (is the disk full?)"
      vtmp="$athens_storage/${vdir%/*}/.offgo-new-${vdir##*/}-$$"
      rm -rf "$vtmp"
      mkdir "$vtmp" || fail athens "cannot create $vtmp"
    fi
    cp "$dest/$cpath" "$vtmp/${apath##*/}" || fail athens "cannot write $vtmp (is the disk full?)"
  done < "$plan"
  finish_version || fail athens "cannot place $athens_storage/$last"
  awk '{ print $1 "  " $2 }' "$plan" > "$athens_list.offgo-new" && rm -f "$plan" &&
    mv -f "$athens_list.offgo-new" "$athens_list" ||
    fail athens "cannot write $athens_list (is the disk full?)"
  out=$(cd "$athens_storage" && { sums_ok_fast "$athens_list" || sha256sum -c --quiet --strict "$athens_list" 2>&1; }) ||
    fail athens "Athens' files differ from the bundle after the preload: $out"
  printf '{"storage":"%s","bundle":"%s","list_sha256":"%s"}\n' "$athens_storage" "$id" "$(mc_digest "$athens_list")" \
    > "$athens_state.offgo-new" && mv -f "$athens_state.offgo-new" "$athens_state" ||
    fail athens "cannot write $athens_state"
  kv athens_written "$written"
  kv athens_kept "$kept"
fi

step prune
for old in $prune; do
  case "$old" in
    modcache-*) ;;
    *) continue ;;
  esac
  [ "$modcache_dir/$old" = "$dest" ] && continue
  [ "$(readlink -f "$current")" = "$(readlink -f "$modcache_dir/$old")" ] && continue
  [ -e "$modcache_dir/$old" ] || continue
  rm -rf "$modcache_dir/$old" "$modcache_dir/$old.sha256sums" "$modcache_dir/$old.tree_digest" && kv pruned "$old"
done
rm -rf "$dest.offgo-old"
rm -f "$tarball" "$sums"
kv done 1
