# Shared by install.sh and switch.sh: the one way go_root changes, and the clean-up of whatever
# an earlier run cut short left behind. Temp names are offgo's own; go_root and releases in use
# are never removed.

# relink TARGET: points go_root at TARGET in one rename. The temp link name is cleared first,
# whatever it is (a link, a file, a directory left by a crash): that name only, never go_root.
relink() {
  rm -rf "$go_root.offgo-new" &&
    ln -s "$1" "$go_root.offgo-new" &&
    mv -T "$go_root.offgo-new" "$go_root"
}

# keep_state: state.json as it is before a switch, kept in this shell (no file a crash could
# leave behind), for a switch back to restore.
keep_state() {
  offgo_had_state=
  if [ -f "$state_file" ]; then
    offgo_old_state=$(cat "$state_file") && offgo_had_state=1
  fi
}

# restore_state: state.json as it was before the switch (none, when there was none).
restore_state() {
  if [ -n "$offgo_had_state" ]; then
    printf '%s\n' "$offgo_old_state" > "$state_file.offgo-new" &&
      mv -f "$state_file.offgo-new" "$state_file"
  else
    rm -f "$state_file"
  fi
}

# offgo_in_use PATH: go_root runs from PATH or from inside it.
offgo_in_use() {
  offgo_real=$(readlink -f "$1" 2>/dev/null) || return 1
  offgo_active=$(readlink -f "$go_root" 2>/dev/null) || return 1
  case $offgo_active in
    "$offgo_real" | "$offgo_real"/*) return 0 ;;
  esac
  return 1
}

# clean_leftovers: temp links and trees of earlier runs, killed at any step. A hand-installed
# go_root moved aside for a switch that never happened goes back first.
clean_leftovers() {
  if [ ! -e "$go_root" ] && [ ! -L "$go_root" ]; then
    for c in "$go_root".offgo-adopted-*; do
      [ -d "$c" ] && [ ! -L "$c" ] && mv "$c" "$go_root" && kv restored "$go_root" && break
    done
  fi
  for c in "$go_root.offgo-new" "$go_root".offgo-adopted-* \
    "$releases_dir"/.offgo-* "$releases_dir"/*.offgo-old "$releases_dir"/*/go.offgo-copy \
    "$releases_dir"/*/*.offgo-new "$state_file.offgo-new" "$profile_script.offgo-new" \
    "$env_profile.offgo-new" "$releases_dir"/*/go/go.env.offgo-new "$shim_dir"/go1*.offgo-new; do
    [ -e "$c" ] || [ -L "$c" ] || continue
    # A link is only a name: removing it never touches what it points at.
    [ ! -L "$c" ] && offgo_in_use "$c" && continue
    rm -rf "$c" && kv cleaned "$c"
  done
}

# tree_sums DIR: DIR's regular files as a bundle's sha256sums lists them (`go/` paths, byte
# order), so its digest equals the bundle's tree_digest exactly when the files are the same.
tree_sums() (
  cd "$1/" || exit 1
  find . -type f -print0 | sort -z | xargs -0 -r sha256sum | sed 's|^\([0-9a-f]\{64\}\)  \./|\1  go/|'
)

# digest_of FILE: its sha256, lowercase hex.
digest_of() {
  offgo_d=$(sha256sum < "$1" 2>/dev/null) || return 1
  printf '%s' "${offgo_d%% *}"
}
