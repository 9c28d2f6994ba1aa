# Pre-flight of a module-cache push or rollback: what the host has under modcache_dir and
# whether the bundle can go there, read before anything changes. The keys are the Go
# pre-flight's (engine/preflight.rs parses both): `release` lists the installed caches,
# `modcache_state_json` is modcache.json, `releases_free_kb` is the free space under modcache_dir.
LC_ALL=C; export LC_ALL
echo "offgo_preflight=1"
host_arch
for tool in tar gzip sha256sum flock find; do
  command -v "$tool" >/dev/null 2>&1 || kv missing_tool "$tool"
done
# Under the lock the push goes ahead: the directories its upload writes into are made now.
[ "$check_lock" = 0 ] && mkdir -p "$modcache_dir" "$incoming" 2>/dev/null
check_writable "$modcache_dir" "$incoming" "$(dirname "$modcache_state")" "$(dirname "$audit_log")"
kv releases_free_kb "$(free_kb "$modcache_dir")"
kv incoming_free_kb "$(free_kb "$incoming")"
[ "$(dev "$modcache_dir")" = "$(dev "$incoming")" ] && echo "incoming_same_fs=1"
echo "go_root_kind=missing"
if [ -n "$athens_storage" ]; then
  if [ -d "$athens_storage" ] && [ ! -L "$athens_storage" ]; then
    kv athens_free_kb "$(free_kb "$athens_storage")"
  else
    echo "athens_missing=1"
  fi
fi
[ -f "$modcache_state" ] && kv modcache_state_json "$(tr '\n\r' '  ' < "$modcache_state")"
kv modcache_current "$(readlink "$modcache_dir/current" 2>/dev/null)"
for d in $(ls -1t "$modcache_dir" 2>/dev/null); do
  case $d in
    modcache-*.*) ;;
    modcache-*) [ -d "$modcache_dir/$d" ] && [ -f "$modcache_dir/$d.sha256sums" ] && kv release "$d" ;;
  esac
done
if [ "$id" != none ] && [ -f "$modcache_dir/$id.tree_digest" ]; then
  kv installed_digest "$(head -n 1 "$modcache_dir/$id.tree_digest")"
fi
if [ -f "$part" ]; then
  kv part_size "$(wc -c < "$part" | tr -d ' ')"
  [ "$hash_part" = 1 ] && kv part_sha256 "$(digest_of "$part")"
fi
if [ -f "$tarball" ]; then
  kv tarball_size "$(wc -c < "$tarball" | tr -d ' ')"
fi
if [ "$check_lock" = 1 ] && [ -e "$lock" ] && command -v flock >/dev/null 2>&1; then
  if ! flock -n "$lock" true 2>/dev/null; then kv busy "$(head -c 512 "$lock.owner" 2>/dev/null)"; fi
fi
echo "preflight_end=1"
