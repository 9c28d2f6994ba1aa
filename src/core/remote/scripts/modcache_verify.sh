# Verification of the module cache `current` serves: each check reported as `check=NAME`,
# `ok=0|1`, `detail=…`, like verify.sh.
LC_ALL=C; export LC_ALL
offgo_pick_tools
report() { kv check "$1"; kv ok "$2"; kv detail "$(printf '%s' "$3" | head -n 20 | tr '\n' '|' | head -c 2000)"; }
target=$(readlink "$current" 2>/dev/null)
id=${target##*/}
if [ ! -L "$current" ]; then
  report modcache_tree 0 "$current is not a link: no module cache is installed"
elif [ ! -d "$target" ]; then
  report modcache_tree 0 "$current points at $target, which is missing"
else
  recorded=$(head -n 1 "$target.tree_digest" 2>/dev/null)
  if [ -z "$recorded" ]; then
    report modcache_tree 0 "$target.tree_digest is missing: cannot check $id"
  elif out=$(mc_check_tree "$target" "$target.sha256sums" "$recorded"); then
    report modcache_tree 1 "every file of $target matches its bundle ($(wc -l < "$target.sha256sums" | tr -d ' ') files)"
  else
    report modcache_tree 0 "$out"
  fi
fi
state_current=$(sed -n 's/^{"current":"\([^"]*\)".*/\1/p' "$modcache_state" 2>/dev/null)
if [ "$state_current" = "$id" ] && [ -n "$id" ]; then
  report modcache_state 1 "$modcache_state records $id, which $current serves"
else
  report modcache_state 0 "$modcache_state records ${state_current:-nothing} but $current serves ${id:-nothing}"
fi
if [ -n "$athens_storage" ]; then
  # Athens' copy: the list recorded at the preload (its digest in athens.json), then every
  # file Athens serves for the bundle against it.
  athens_bundle=$(sed -n 's/.*"bundle":"\([^"]*\)".*/\1/p' "$athens_state" 2>/dev/null)
  athens_digest=$(sed -n 's/.*"list_sha256":"\([^"]*\)".*/\1/p' "$athens_state" 2>/dev/null)
  if [ -z "$athens_bundle" ]; then
    report athens 0 "no preload of Athens at $athens_storage is recorded ($athens_state): push a module-cache bundle"
  elif [ "$(mc_digest "$athens_list")" != "$athens_digest" ]; then
    report athens 0 "$athens_list was changed after the preload of $athens_bundle"
  elif out=$(cd "$athens_storage" && { sums_ok_fast "$athens_list" || sha256sum -c --quiet --strict "$athens_list" 2>&1; }); then
    report athens 1 "Athens at $athens_storage serves $athens_bundle: its $(wc -l < "$athens_list" | tr -d ' ') files match the bundle"
  else
    report athens 0 "$out"
  fi
  kv athens_bundle "$athens_bundle"
fi
kv modcache_current "$id"
echo "verify_end=1"
