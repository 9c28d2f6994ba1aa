# offgo probe (POSIX sh). The jump host prepends the quoted inputs:
#   go_root, releases_dir, state_file, audit_log, audit_cap, known_fingerprint (the last probe's,
#   or empty), and `set -- GLOB...` (check_binaries).
# Prints key=value lines; the audit log comes last, framed by its byte count so that any bytes in
# it (a tampered log may hold anything) cannot be mistaken for probe keys.
LC_ALL=C; export LC_ALL
# Never let a `go` command try to download a toolchain: these hosts have no internet.
GOTOOLCHAIN=local; export GOTOOLCHAIN
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout 20"

echo "offgo_probe=1"

# Re-probes are cheap: one `stat` of everything the full probe reads (go_root, its VERSION and
# go binary, state.json, the audit log, the loader cache, the library directories and every
# checked binary). When that fingerprint is the one the jump host saw last, only what changes
# by itself (free space, auditd) is read again.
saved_ifs=$IFS
nl='
'
bins=
for pattern in "$@"; do
  IFS=''
  for f in $pattern; do bins="$bins$f$nl"; done
  IFS=$saved_ifs
done
set -f
IFS=$nl
fingerprint=$(stat -c '%N %s %Y %Z %i' "$go_root" "$go_root/VERSION" "$go_root/bin/go" "$state_file" \
  "$audit_log" /etc/ld.so.cache /lib /usr/lib /lib64 /usr/lib64 /lib/x86_64-linux-gnu \
  /usr/lib/x86_64-linux-gnu /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu $bins 2>/dev/null | cksum)
IFS=$saved_ifs
set +f
echo "fingerprint=$fingerprint"

auditd=not_running
if [ -d /proc/1 ]; then
  for c in /proc/[0-9]*/comm; do
    read -r name < "$c" 2>/dev/null && [ "$name" = auditd ] && { auditd=running; break; }
  done
elif command -v pgrep >/dev/null 2>&1; then
  pgrep -x auditd >/dev/null 2>&1 && auditd=running
fi
echo "auditd=$auditd"
d=$releases_dir
while [ -n "$d" ] && [ "$d" != "/" ] && [ ! -d "$d" ]; do d=${d%/*}; done
echo "free_kb=$(df -Pk "${d:-/}" 2>/dev/null | tail -n 1 | tr -s ' ' | cut -d ' ' -f 4)"
if [ -n "$known_fingerprint" ] && [ "$fingerprint" = "$known_fingerprint" ]; then
  echo "unchanged=1"
  echo "probe_end=1"
  exit 0
fi

echo "arch=$(uname -m 2>/dev/null)"

if [ -L "$go_root" ]; then
  echo "go_root_kind=symlink"
  echo "go_root_target=$(readlink "$go_root" 2>/dev/null)"
elif [ -d "$go_root" ]; then
  echo "go_root_kind=dir"
elif [ -e "$go_root" ]; then
  echo "go_root_kind=other"
else
  echo "go_root_kind=missing"
fi
if [ -e "$go_root/bin/go" ]; then
  echo "go_version_output=$($limit "$go_root/bin/go" version 2>&1 | head -n 1)"
fi
if [ -f "$go_root/VERSION" ]; then
  echo "go_version_file=$(head -n 1 "$go_root/VERSION" 2>/dev/null)"
fi

if [ -e "$state_file" ]; then
  if [ -f "$state_file" ] && [ -r "$state_file" ]; then
    echo "state_json=$(tr '\n\r' '  ' < "$state_file")"
  else
    echo "state_unreadable=1"
  fi
fi

for pattern in "$@"; do
  # An empty IFS expands the glob without splitting paths that contain spaces.
  IFS=''
  for f in $pattern; do
    IFS=$saved_ifs
    if [ ! -e "$f" ]; then echo "bin_missing=$f"; continue; fi
    [ -f "$f" ] || continue
    out=$($limit ldd "$f" 2>&1)
    case "$out" in
      *"not a dynamic executable"*|*"statically linked"*) echo "bin_static=$f"; continue ;;
    esac
    echo "bin=$f"
    printf '%s\n' "$out" | grep 'not found' | while IFS= read -r line; do
      printf 'gap=%s\t%s\n' "$f" "$line"
    done
  done
  IFS=$saved_ifs
done

if [ -e "$audit_log" ] || [ -L "$audit_log" ]; then
  if [ -f "$audit_log" ] && [ -r "$audit_log" ]; then
    size=$(wc -c < "$audit_log" | tr -d ' ')
    echo "audit_lines=$(wc -l < "$audit_log" | tr -d ' ')"
    if [ "$size" -gt "$audit_cap" ]; then
      echo "audit_truncated=1"
      echo "audit_size=$audit_cap"
      echo "audit_begin"
      tail -c "$audit_cap" "$audit_log"
    else
      echo "audit_size=$size"
      echo "audit_begin"
      head -c "$size" "$audit_log"
    fi
    echo
    echo "audit_end"
  else
    echo "audit=unreadable"
  fi
else
  echo "audit=missing"
fi
echo "probe_end=1"
