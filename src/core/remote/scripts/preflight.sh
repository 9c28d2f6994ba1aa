# Pre-flight of a push: everything checked before anything changes. Prints key=value lines,
# every value through `kv` (the prelude) so no host content can start a line of its own.
LC_ALL=C; export LC_ALL
# Never let a `go` command try to download a toolchain: these hosts have no internet.
GOTOOLCHAIN=local; export GOTOOLCHAIN
echo "offgo_preflight=1"
host_arch
for tool in tar gzip sha256sum flock; do
  command -v "$tool" >/dev/null 2>&1 || kv missing_tool "$tool"
done
# Under the lock the push goes ahead: the directories its upload writes into are made now.
# Before it, nothing is: a host refused here keeps no trace of the push.
[ "$check_lock" = 0 ] && mkdir -p "$releases_dir" "$incoming" 2>/dev/null
check_writable "$releases_dir" "$incoming" "$(dirname "$go_root")" "$(dirname "$profile_script")" "$(dirname "$audit_log")"
kv releases_free_kb "$(free_kb "$releases_dir")"
kv incoming_free_kb "$(free_kb "$incoming")"
kv go_root_free_kb "$(free_kb "$(dirname "$go_root")")"
[ "$(dev "$releases_dir")" = "$(dev "$incoming")" ] && echo "incoming_same_fs=1"
if [ -L "$go_root" ]; then
  echo "go_root_kind=symlink"
  kv go_root_target "$(readlink "$go_root")"
elif [ -d "$go_root" ]; then
  echo "go_root_kind=dir"
  kv go_root_kb "$(du -sk "$go_root" 2>/dev/null | cut -f 1)"
elif [ -e "$go_root" ]; then
  echo "go_root_kind=other"
else
  echo "go_root_kind=missing"
fi
if [ -e "$go_root/bin/go" ]; then
  kv go_version_output "$(offgo_untrusted "$go_root/bin/go" version 2>&1 | head -n 1)"
fi
[ -f "$go_root/VERSION" ] && kv go_version_file "$(head -n 1 "$go_root/VERSION")"
[ -f "$state_file" ] && kv state_json "$(tr '\n\r' '  ' < "$state_file")"
[ -f "$releases_dir/$version/go/VERSION" ] && kv release_present "$(head -n 1 "$releases_dir/$version/go/VERSION")"
for d in $(ls -1t "$releases_dir" 2>/dev/null); do
  [ -f "$releases_dir/$d/go/VERSION" ] && kv release "$d"
done
if [ -f "$part" ]; then
  kv part_size "$(wc -c < "$part" | tr -d ' ')"
  [ "$hash_part" = 1 ] && kv part_sha256 "$(digest_of "$part")"
fi
if [ -f "$tarball" ]; then
  kv tarball_size "$(wc -c < "$tarball" | tr -d ' ')"
fi
if [ "$check_lock" = 1 ] && [ -e "$lock" ] && command -v flock >/dev/null 2>&1; then
  # The owner is what another operator's lock script wrote; a host could put anything there.
  if ! flock -n "$lock" true 2>/dev/null; then kv busy "$(head -c 512 "$lock.owner" 2>/dev/null)"; fi
fi
echo "preflight_end=1"
