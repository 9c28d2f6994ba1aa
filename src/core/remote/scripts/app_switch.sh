# Switches app $name's current to its installed release $version (a rollback, or the switch back
# after a failed health check) once its files check against the list installed with them, and
# writes the state. Runs under the host lock.
LC_ALL=C; export LC_ALL
offgo_pick_tools
umask 022
app_paths
step() { kv step "$1"; }
fail() {
  kv fail "$1"
  shift
  kv why "$(printf '%s' "$*" | head -c 4000)"
  rm -f "$app_state.offgo-new"
  exit 1
}

step check_target
[ -d "$app_target" ] || fail check_target "$app_target is missing: $version of $name is not installed on the host"
app_check_tree "$app_target" || fail check_target "files of $name $version differ from its bundle: $app_why"

step switch
mkdir -p "$(dirname "$app_state")"
printf '%s\n' "$state_json" > "$app_state.offgo-new" || fail switch "cannot write $app_state.offgo-new"
trap '' HUP INT TERM PIPE
kv previous_target "$(readlink "$app_current" 2>/dev/null)"
app_relink "$app_target" || fail switch "cannot switch $app_current"
mv -f "$app_state.offgo-new" "$app_state" || fail switch "cannot write $app_state"
kv done 1
