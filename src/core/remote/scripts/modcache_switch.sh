# Module-cache rollback: switches `current` to an installed cache, checked against its signed
# file list first, and records modcache.json. Runs under the host lock.
LC_ALL=C; export LC_ALL
offgo_pick_tools
umask 022
step() { kv step "$1"; }
fail() {
  kv fail "$1"
  shift
  kv why "$(printf '%s' "$*" | head -c 4000)"
  rm -f "$modcache_state.offgo-new"
  exit 1
}
dest="$modcache_dir/$id"

step clean
mc_clean

step check_target
[ -d "$dest" ] && [ ! -L "$dest" ] || fail check_target "$dest is not installed on the host"
recorded=$(head -n 1 "$dest.tree_digest" 2>/dev/null)
[ -n "$recorded" ] || fail check_target "$dest.tree_digest is missing: cannot check $id"
out=$(mc_check_tree "$dest" "$dest.sha256sums" "$recorded") || fail check_target "files of $id differ from its bundle: $out"

step switch
printf '%s\n' "$state_json" > "$modcache_state.offgo-new" || fail switch "cannot write $modcache_state.offgo-new"
previous_target=$(readlink "$current" 2>/dev/null)
trap '' HUP INT TERM PIPE
mc_relink "$dest" || fail switch "cannot switch $current"
if ! mv -f "$modcache_state.offgo-new" "$modcache_state"; then
  [ -n "$previous_target" ] && mc_relink "$previous_target" && kv switched_back "$previous_target"
  fail switch "cannot write $modcache_state"
fi
kv done 1
