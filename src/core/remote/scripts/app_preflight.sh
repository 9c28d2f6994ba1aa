# Pre-flight of an app push or rollback: what the host has of app $name, checked before anything
# changes. Every value through `kv` (the prelude).
LC_ALL=C; export LC_ALL
app_paths
echo "offgo_app_preflight=1"
host_arch
for tool in tar gzip sha256sum flock; do
  command -v "$tool" >/dev/null 2>&1 || kv missing_tool "$tool"
done
check_writable "$app_releases" "$app_incoming" "$(dirname "$audit_log")"
kv releases_free_kb "$(free_kb "$app_releases")"
kv incoming_free_kb "$(free_kb "$app_incoming")"
if [ -L "$app_current" ]; then
  kv current_target "$(readlink "$app_current")"
elif [ -e "$app_current" ]; then
  kv current_other "$app_current"
fi
[ -f "$app_state" ] && kv state_json "$(head -c 65536 "$app_state" | tr '\n\r' '  ')"
# Installed releases, newest first, each with the bundle sha256 its manifest copy records.
for d in $(ls -1t "$app_releases" 2>/dev/null); do
  [ -f "$app_releases/$d/.offgo-sha256sums" ] || continue
  kv release "$d"
  kv release_sha256 "$(sed -n 's/^sha256 = "\([0-9a-f]*\)"$/\1/p' "$app_releases/$d/.offgo-app.toml" 2>/dev/null | head -n 1)"
done
if [ -f "$app_part" ]; then
  kv part_size "$(wc -c < "$app_part" | tr -d ' ')"
  [ "$hash_part" = 1 ] && kv part_sha256 "$(app_digest "$app_part")"
fi
[ -f "$app_tarball" ] && kv tarball_size "$(wc -c < "$app_tarball" | tr -d ' ')"
if [ "$check_lock" = 1 ] && [ -e "$lock" ] && command -v flock >/dev/null 2>&1; then
  if ! flock -n "$lock" true 2>/dev/null; then kv busy "$(head -c 512 "$lock.owner" 2>/dev/null)"; fi
fi
echo "preflight_end=1"
