# Holds the host lock (flock on $lock) for as long as the jump host keeps this command's stdin
# open. When the jump host closes it, or the connection drops and sshd hangs up on us, `cat`
# ends, the shell exits and the kernel releases the lock: a crashed console never leaves a
# host locked.
umask 022
mkdir -p "$state_dir" 2>/dev/null
if ! exec 9>>"$lock"; then
  echo "lock_error=cannot open $lock"
  exit 1
fi
if ! command -v flock >/dev/null 2>&1; then
  echo "lock_error=flock is not installed on the host (util-linux)"
  exit 1
fi
if ! flock -n 9; then
  echo "busy=$(cat "$lock.owner" 2>/dev/null)"
  exit 75
fi
printf '%s\n' "$owner" > "$lock.owner"
echo "locked=1"
cat >/dev/null
rm -f "$lock.owner"
