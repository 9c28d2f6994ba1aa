# Reads the Go tree go_root runs now (a directory or a link's target, offgo-managed or not) and
# prints the digest of its files as a bundle's sha256sums lists them: equal to a bundle's
# tree_digest exactly when the host already has that release, file for file. Changes nothing.
LC_ALL=C; export LC_ALL
# go.env counts by its official lines: offgo's policy block after them is not the release's
# (go_env.sh), so a host with a policy still has the bundle's release "file for file".
if [ -d "$go_root/" ]; then
  official=
  [ -f "$go_root/go.env" ] && official=$(official_go_env "$go_root/go.env" | digest_of /dev/stdin)
  if [ -n "$official" ]; then
    kv tree_digest "$(tree_sums "$go_root" | sed "s|^[0-9a-f]\{64\}  go/go\.env\$|$official  go/go.env|" | digest_of /dev/stdin)"
  else
    kv tree_digest "$(tree_sums "$go_root" | digest_of /dev/stdin)"
  fi
fi
kv current_tree_end 1
