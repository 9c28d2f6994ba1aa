# Holds the host lock (flock on $lock) for as long as the jump host keeps this command's stdin
# open. When the jump host closes it, or the connection drops and sshd hangs up on us, `cat`
# ends, the shell exits and the kernel releases the lock: a crashed console never leaves a
# host locked.
umask 022
mkdir -p "$state_dir" 2>/dev/null
if ! exec 9>>"$lock"; then
  kv lock_error "cannot open $lock"
  exit 1
fi
if ! command -v flock >/dev/null 2>&1; then
  kv lock_error "flock is not installed on the host (util-linux)"
  exit 1
fi
if ! flock -n 9; then
  # What another operator's lock wrote: any bytes, so bounded and framed.
  kv busy "$(head -c 512 "$lock.owner" 2>/dev/null)"
  exit 75
fi
printf '%s\n' "$owner" > "$lock.owner"
echo "locked=1"
cat >/dev/null
rm -f "$lock.owner"
