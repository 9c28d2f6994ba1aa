# Verification of the module cache `current` serves: each check reported as `check=NAME`,
# `ok=0|1`, `detail=…`, like verify.sh.
LC_ALL=C; export LC_ALL
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
kv modcache_current "$id"
echo "verify_end=1"
