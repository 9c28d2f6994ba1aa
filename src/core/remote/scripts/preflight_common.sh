# What every pre-flight (Go, app, module cache) reads the same way. A pre-flight changes
# nothing: a host it refuses keeps no trace of it, not even an empty directory.

# The arch as the probe reads it: the kernel's own word first, then uname.
host_arch() {
  offgo_arch=
  [ -r /proc/sys/kernel/arch ] && read -r offgo_arch < /proc/sys/kernel/arch
  [ -n "$offgo_arch" ] || offgo_arch=$(uname -m 2>/dev/null)
  kv arch "$offgo_arch"
}
# The nearest directory at or above $1 that exists (where df can measure what $1 will use).
nearest() {
  d=$1
  while [ -n "$d" ] && [ "$d" != "/" ] && [ ! -d "$d" ]; do d=$(dirname "$d"); done
  echo "${d:-/}"
}
free_kb() { df -Pk "$(nearest "$1")" 2>/dev/null | tail -n 1 | tr -s ' ' | cut -d ' ' -f 4; }
dev() { df -P "$(nearest "$1")" 2>/dev/null | tail -n 1 | cut -d ' ' -f 1; }
# Whether the directory $1 can be written, or created (`mkdir -p`, as the change will) and then
# written, without creating it now: the first thing on its path that exists must be a directory
# this user may write and enter. A file or a dangling link in the way is not writable.
can_write() {
  d=$1
  while [ -n "$d" ] && [ "$d" != "/" ] && [ ! -e "$d" ] && [ ! -L "$d" ]; do d=$(dirname "$d"); done
  d=${d:-/}
  [ -d "$d" ] && [ -w "$d" ] && [ -x "$d" ]
}
# `not_writable=DIR` for each of the given directories that can_write refuses.
check_writable() {
  for d in "$@"; do
    can_write "$d" || kv not_writable "$d"
  done
}
