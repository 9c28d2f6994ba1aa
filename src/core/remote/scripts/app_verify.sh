# Verification of app $name: the files current points at against the list installed with them;
# what current points at and the state, for the jump host to compare. Checks as `check=NAME`,
# `ok=0|1`, `detail=…`.
LC_ALL=C; export LC_ALL
offgo_pick_tools
app_paths
report() { kv check "$1"; kv ok "$2"; kv detail "$(printf '%s' "$3" | head -n 20 | tr '\n' '|' | head -c 2000)"; }
echo "offgo_app_verify=1"
[ -L "$app_current" ] && kv current_target "$(readlink "$app_current")"
[ -f "$app_state" ] && kv state_json "$(head -c 65536 "$app_state" | tr '\n\r' '  ')"
if [ -L "$app_current" ] && [ -d "$app_current/" ]; then
  if app_check_tree "$app_current"; then
    report tree 1 "every file of $(readlink "$app_current") matches its bundle"
  else
    report tree 0 "$app_why"
  fi
elif [ -e "$app_current" ]; then
  report tree 0 "$app_current is not offgo's link to a release"
else
  report tree 0 "$app_current does not exist: $name is not installed on this host"
fi
echo "verify_end=1"
