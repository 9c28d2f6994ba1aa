# The one-time bootstrap (`offgo-tui privileges install`), run as root through an admin login:
# the helper goes to its fixed path, root-owned, mode 0755, checked against its digest; the
# sudoers drop-in (when the host uses sudo) is written under a name with a dot, which sudo's
# includedir never reads, checked with `visudo -cf`, made 0440 and only then moved into place.
# If sudo's whole configuration then fails `visudo -c`, the drop-in is removed again.
umask 022
fail() {
  kv fail "$1"
  shift
  kv why "$(printf '%s' "$*" | head -c 4000)"
  rm -f "$helper.offgo-new" "$dropin.offgo-new"
  exit 1
}
kv step helper
mkdir -p "$(dirname "$helper")" || fail helper "cannot create $(dirname "$helper")"
{ printf '%s' "$helper_text" > "$helper.offgo-new" && chown 0:0 "$helper.offgo-new" &&
  chmod 0755 "$helper.offgo-new"; } || fail helper "cannot write $helper.offgo-new"
got=$(sha256sum < "$helper.offgo-new" | cut -c 1-64)
[ "$got" = "$helper_sha256" ] || fail helper "the helper written has sha256 $got, not $helper_sha256"
mv -f "$helper.offgo-new" "$helper" || fail helper "cannot move the helper to $helper"
kv helper_installed "$helper"
if [ -n "$dropin" ]; then
  kv step dropin
  command -v visudo >/dev/null 2>&1 || fail dropin "visudo is not installed: install sudo first"
  { printf '%s' "$dropin_text" > "$dropin.offgo-new" && chown 0:0 "$dropin.offgo-new" &&
    chmod 0440 "$dropin.offgo-new"; } || fail dropin "cannot write $dropin.offgo-new"
  out=$(visudo -cf "$dropin.offgo-new" 2>&1) || fail dropin "visudo -cf refused the drop-in: $out"
  mv -f "$dropin.offgo-new" "$dropin" || fail dropin "cannot move the drop-in to $dropin"
  if ! out=$(visudo -c 2>&1); then
    rm -f "$dropin"
    fail dropin "with the drop-in, sudo's configuration fails visudo -c, so it was removed again: $out"
  fi
  kv dropin_installed "$dropin"
fi
kv done 1
