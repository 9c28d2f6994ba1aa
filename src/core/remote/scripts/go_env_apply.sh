# Applies the Go environment policy without a new release (`offgo-tui go-env apply`): the active
# release's go.env overlay, the login profile, the record in state.json (go_env.sh), then the
# go_shims. Runs under the host lock. Prints step=, fail= and why= on failure, go_env_sha256=,
# go_shim=…, done=1.
LC_ALL=C; export LC_ALL
umask 022
step() { kv step "$1"; }
root=
fail() {
  kv fail "$1"
  shift
  kv why "$(printf '%s' "$*" | head -c 4000)"
  rm -f "$env_profile.offgo-new" "$state_file.offgo-new"
  [ -n "$root" ] && rm -f "$root/go.env.offgo-new"
  exit 1
}

step check
[ -L "$go_root" ] || fail check "$go_root is not offgo's link to a release: push a bundle first so offgo manages it"
root=$(readlink "$go_root")
release=${root#"$releases_dir"/}
release=${release%/go}
case $root in "$releases_dir"/*/go) ;; *) release=/ ;; esac
case $release in
  */* | .* | "") root=; fail check "$go_root points outside $releases_dir: push a bundle first so offgo manages it" ;;
esac
[ -f "$state_file" ] || fail check "$state_file is missing: push a bundle first so offgo manages this host"
state=$(cat "$state_file") || fail check "cannot read $state_file"
case $state in
  '{"current":'*'}') ;;
  *) fail check "$state_file is not offgo's state: push a bundle to write it again" ;;
esac

step go_env
env_overlay "$root" || fail go_env "$offgo_why"
env_profile_new || fail go_env "$offgo_why"
printf '%s\n' "$(with_record "$state")" > "$state_file.offgo-new" ||
  fail go_env "cannot write $state_file.offgo-new (is the disk full?)"
# The three files change together, one rename each, back to back.
trap '' HUP INT TERM PIPE
if [ -f "$root/go.env.offgo-new" ]; then
  mv -f "$root/go.env.offgo-new" "$root/go.env" || fail go_env "cannot write $root/go.env"
fi
env_profile_commit || fail go_env "cannot write $env_profile"
mv -f "$state_file.offgo-new" "$state_file" || fail go_env "cannot write $state_file"
kv release "$release"
kv go_env_sha256 "$go_env_sha256"

step shims
write_shims || fail shims "$offgo_why"
kv done 1
