# Rollback: switches go_root to an installed release, checks it, and records the new state.
# Runs under the host lock; switches back when the check after the switch fails, saying
# whether that worked (`switched_back` or `switch_back_failed`).
LC_ALL=C; export LC_ALL
offgo_pick_tools
GOTOOLCHAIN=local; export GOTOOLCHAIN
umask 022
step() { kv step "$1"; }
fail() {
  kv fail "$1"
  shift
  kv why "$(printf '%s' "$*" | head -c 4000)"
  rm -f "$state_file.offgo-new" "$profile_script.offgo-new" "$env_profile.offgo-new" "$target/go.env.offgo-new"
  exit 1
}

step clean
clean_leftovers

step check_target
[ -x "$target/bin/go" ] || fail check_target "$target/bin/go is missing: that release is not installed on the host"
go_version "$target"
out=$offgo_out
case "$out" in
  "go version $version "*) [ -n "$offgo_not_run" ] && kv go_version_not_run "$offgo_not_run" ;;
  *) fail check_target "$target/bin/go version printed: $out" ;;
esac
if [ -f "$target/../sha256sums" ]; then
  if [ -f "$target/../tree_digest" ]; then
    recorded=$(head -n 1 "$target/../tree_digest")
    found=$(digest_of "$target/../sha256sums")
    [ "$found" = "$recorded" ] || fail check_target "the file list of $version was edited after install: its digest is $found, $recorded was recorded"
  fi
  check_tree "$target/.." || fail check_target "files of $version differ from its bundle: $offgo_out"
fi

switch_back() {
  if [ -n "$previous_target" ] && relink "$previous_target" && restore_state; then
    go_version "$go_root"
    case $offgo_out in
      "go version go"*) kv switched_back "$previous_target"; return 0 ;;
    esac
  fi
  if [ -z "$previous_target" ]; then
    kv switch_back_failed "$go_root was not a link before: it stays on $version"
  else
    kv switch_back_failed "could not switch $go_root back to a working $previous_target; it now runs: $(readlink "$go_root" 2>/dev/null)"
  fi
  return 1
}

step switch
previous_target=$(readlink "$go_root" 2>/dev/null)
[ -d "$go_root" ] && [ ! -L "$go_root" ] && fail switch "$go_root is a hand-installed directory; push a bundle first so offgo manages it"
# The policy goes with the switch (go_env.sh): into the release switched to, the login profile
# and state.json's record.
env_overlay "$target" || fail go_env "$offgo_why"
if [ -f "$target/go.env.offgo-new" ]; then
  mv -f "$target/go.env.offgo-new" "$target/go.env" || fail go_env "cannot write $target/go.env"
fi
env_profile_new || fail go_env "$offgo_why"
state_json=$(with_record "$state_json")
mkdir -p "$(dirname "$profile_script")"
printf '%s' "$profile" > "$profile_script.offgo-new" || fail switch "cannot write $profile_script.offgo-new"
mkdir -p "$(dirname "$state_file")"
printf '%s\n' "$state_json" > "$state_file.offgo-new" || fail switch "cannot write $state_file.offgo-new"
keep_state || fail switch "cannot keep a copy of $state_file (is the disk full?)"
# From here the change completes: signals are ignored. go_root and state.json change together,
# one rename each, back to back (the next rollback or push repairs the instant between).
trap '' HUP INT TERM PIPE
relink "$target" || fail switch "cannot switch $go_root"
mv -f "$state_file.offgo-new" "$state_file" || { switch_back; fail switch "cannot write $state_file"; }
mv -f "$profile_script.offgo-new" "$profile_script" || { switch_back; fail switch "cannot write $profile_script"; }
env_profile_commit || { switch_back; fail switch "cannot write $env_profile"; }

step post_verify
go_version "$go_root"
out=$offgo_out
case "$out" in
  "go version $version "*) ;;
  *) switch_back; fail post_verify "after the switch, go version printed: $out" ;;
esac

step shims
write_shims || fail shims "$offgo_why"
kv done 1
