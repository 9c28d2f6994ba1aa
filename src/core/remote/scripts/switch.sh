# Rollback: switches go_root to an installed release, checks it, and records the new state.
# Runs under the host lock; switches back when the check after the switch fails.
LC_ALL=C; export LC_ALL
GOTOOLCHAIN=local; export GOTOOLCHAIN
umask 022
step() { echo "step=$1"; }
fail() { echo "fail=$1"; shift; printf 'why=%s\n' "$*" | head -c 4000; echo; exit 1; }

step check_target
[ -x "$target/bin/go" ] || fail check_target "$target/bin/go is missing: that release is not installed on the host"
out=$("$target/bin/go" version 2>&1 | head -n 1)
case "$out" in
  "go version $version "*) ;;
  *) fail check_target "$target/bin/go version printed: $out" ;;
esac
if [ -f "$target/../sha256sums" ]; then
  out=$(cd "$target/.." && sha256sum -c --quiet sha256sums 2>&1) || fail check_target "files of $version differ from its bundle: $out"
fi

step switch
previous_target=$(readlink "$go_root" 2>/dev/null)
[ -d "$go_root" ] && [ ! -L "$go_root" ] && fail switch "$go_root is a hand-installed directory; push a bundle first so offgo manages it"
ln -sfn "$target" "$go_root.offgo-new" && mv -T "$go_root.offgo-new" "$go_root" || fail switch "cannot switch $go_root"

step post_verify
out=$("$go_root/bin/go" version 2>&1 | head -n 1)
case "$out" in
  "go version $version "*) ;;
  *)
    [ -n "$previous_target" ] && ln -sfn "$previous_target" "$go_root.offgo-new" && mv -T "$go_root.offgo-new" "$go_root" && echo "switched_back=$previous_target"
    fail post_verify "after the switch, go version printed: $out" ;;
esac

step profile
printf '%s' "$profile" > "$profile_script.offgo-new" && mv -f "$profile_script.offgo-new" "$profile_script" || fail profile "cannot write $profile_script"

step state
mkdir -p "$(dirname "$state_file")"
printf '%s\n' "$state_json" > "$state_file.offgo-new" && mv -f "$state_file.offgo-new" "$state_file" || fail state "cannot write $state_file"
echo "done=1"
