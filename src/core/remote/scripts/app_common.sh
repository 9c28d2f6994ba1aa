# Shared by the app verbs (app_*.sh): where one Go application's files are, and the one way its
# `current` link changes. $name and, where given, $version and $tarball_name are checked inputs
# (the helper checks them against their grammar before any of this runs).
app_paths() {
  app_dir="$apps_dir/$name"
  app_releases="$app_dir/releases"
  app_current="$app_dir/current"
  app_state="$apps_state_dir/$name.json"
  app_incoming="$apps_state_dir/incoming"
  app_tarball="$app_incoming/${tarball_name-none}"
  app_part="$app_tarball.part"
  app_sums="$app_incoming/$name-${version-none}.sha256sums"
  app_manifest="$app_incoming/$name-${version-none}.offgo-app.toml"
  app_target="$app_releases/${version-none}"
}

# app_relink TARGET: points current at TARGET in one rename (a link under a temp name, then
# `mv -T` over current), so a restart never sees current missing or half-made.
app_relink() {
  rm -rf "$app_current.offgo-new" &&
    ln -s "$1" "$app_current.offgo-new" &&
    mv -T "$app_current.offgo-new" "$app_current"
}

# app_digest FILE: its sha256, lowercase hex.
app_digest() {
  app_d=$(sha256_stdin < "$1" 2>/dev/null) || return 1
  printf '%s' "${app_d%% *}"
}

# app_check_tree DIR: DIR's files against the list installed with it (`sha256sum -c`), the list
# itself against the digest recorded then (an edited list could hide edited files). The
# evidence, naming each file that differs, is left in $app_why.
app_check_tree() {
  if [ ! -f "$1/.offgo-sha256sums" ]; then
    app_why="$1/.offgo-sha256sums is missing: cannot check the release"
    return 1
  fi
  app_recorded=$(head -n 1 "$1/.offgo-tree-digest" 2>/dev/null)
  app_listed=$(app_digest "$1/.offgo-sha256sums")
  if [ -z "$app_recorded" ] || [ "$app_listed" != "$app_recorded" ]; then
    app_why="the file list $1/.offgo-sha256sums was edited after install: its digest is $app_listed, ${app_recorded:-nothing} was recorded"
    return 1
  fi
  (cd "$1/" && sums_ok_fast .offgo-sha256sums) && return 0
  app_why=$(cd "$1/" && sha256sum -c --quiet .offgo-sha256sums 2>&1) && return 0
  return 1
}
