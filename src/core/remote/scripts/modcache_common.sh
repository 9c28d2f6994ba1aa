# Shared by the module-cache verbs: the one way `current` changes, the check of an installed
# cache against its signed file list, and the clean-up of what an earlier run cut short.
current="$modcache_dir/current"

# mc_digest FILE: its sha256, lowercase hex.
mc_digest() {
  mc_d=$(sha256_stdin < "$1" 2>/dev/null) || return 1
  printf '%s' "${mc_d%% *}"
}

# mc_relink TARGET: points current at TARGET in one rename.
mc_relink() {
  rm -rf "$current.offgo-new" &&
    ln -s "$1" "$current.offgo-new" &&
    mv -T "$current.offgo-new" "$current"
}

# mc_check_tree DIR SUMS DIGEST: the list is the signed one (DIGEST), every file of DIR is on it
# with its sum, and DIR holds nothing else (an extra file would be served as a module).
# Prints why not and fails.
mc_check_tree() {
  mc_found=$(mc_digest "$2") || { echo "cannot read $2"; return 1; }
  [ "$mc_found" = "$3" ] || { echo "the file list $2 has digest $mc_found, the bundle's is $3"; return 1; }
  mc_odd=$(cd "$1" && find . ! -type f ! -type d | head -n 5)
  [ -z "$mc_odd" ] || { echo "not regular files: $mc_odd"; return 1; }
  mc_files=$(cd "$1" && find . -type f | wc -l | tr -d ' ')
  mc_listed=$(wc -l < "$2" | tr -d ' ')
  [ "$mc_files" = "$mc_listed" ] || { echo "$1 holds $mc_files files, its bundle lists $mc_listed"; return 1; }
  (cd "$1" && { sums_ok_fast "$2" || sha256sum -c --quiet --strict "$2" 2>&1; }) || return 1
}

# mc_clean: temp names of earlier runs, killed at any step. Never current's target.
mc_clean() {
  for c in "$modcache_dir"/.offgo-* "$current.offgo-new" "$modcache_state.offgo-new" \
    "$modcache_dir"/*.offgo-new "$modcache_dir"/*.offgo-old; do
    [ -e "$c" ] || [ -L "$c" ] || continue
    [ "$(readlink -f "$current" 2>/dev/null)" = "$(readlink -f "$c" 2>/dev/null)" ] && [ ! -L "$c" ] && continue
    rm -rf "$c" && kv cleaned "$c"
  done
}

# The Athens preload's list: the bundle's sums as Athens' disk storage lays the files out
# (pkg/storage/fs: <module>/<version>/go.mod, source.zip and <version>.info, module path and
# version decoded from the download cache's `!x` case encoding).
athens_list="$athens_state.sha256sums"

# mc_athens_plan SUMS: `<sha256>  <athens path>  <cache path>` per file Athens keeps; exit 3 on a
# path that would leave the storage root.
mc_athens_plan() {
  awk '
    function dec(s,   out, i, c) {
      out = ""
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "!" && i < length(s)) { i++; out = out toupper(substr(s, i, 1)) } else out = out c
      }
      return out
    }
    {
      hash = substr($0, 1, 64); path = substr($0, 67)
      n = index(path, "/@v/"); if (n == 0) next
      mod = substr(path, 1, n - 1); file = substr(path, n + 4)
      if (file ~ /\.zip$/) { ver = substr(file, 1, length(file) - 4); name = "source.zip" }
      else if (file ~ /\.mod$/) { ver = substr(file, 1, length(file) - 4); name = "go.mod" }
      else if (file ~ /\.info$/) { ver = substr(file, 1, length(file) - 5); name = dec(ver) ".info" }
      else next
      dest = dec(mod) "/" dec(ver) "/" name
      if (("/" dest "/") ~ /\/\.\.?\// || dest ~ /^\// || dest ~ /[[:cntrl:]]/) exit 3
      print hash "  " dest "  " path
    }' "$1"
}

# mc_same_dir A B: the same file names, each with the same bytes (no diff on the host contract).
mc_same_dir() {
  [ "$(cd "$1" && ls -A)" = "$(cd "$2" && ls -A)" ] || return 1
  for mc_f in "$1"/* "$1"/.[!.]*; do
    [ -e "$mc_f" ] || continue
    [ -f "$mc_f" ] && [ -f "$2/${mc_f##*/}" ] || return 1
    [ "$(mc_digest "$mc_f")" = "$(mc_digest "$2/${mc_f##*/}")" ] || return 1
  done
}
