# Reads the Go tree go_root runs now (a directory or a link's target, offgo-managed or not) and
# prints the digest of its files as a bundle's sha256sums lists them: equal to a bundle's
# tree_digest exactly when the host already has that release, file for file. Changes nothing.
LC_ALL=C; export LC_ALL
if [ -d "$go_root/" ]; then
  kv tree_digest "$(tree_sums "$go_root" | digest_of /dev/stdin)"
fi
kv current_tree_end 1
