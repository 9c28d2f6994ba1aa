# offgo probe (POSIX sh). The jump host prepends the quoted inputs:
#   go_root, releases_dir, state_file, audit_log, audit_cap, and `set -- GLOB...` (check_binaries).
# Prints key=value lines; the audit log comes last, framed by its byte count so that any bytes in
# it (a tampered log may hold anything) cannot be mistaken for probe keys.
LC_ALL=C; export LC_ALL
# Never let a `go` command try to download a toolchain: these hosts have no internet.
GOTOOLCHAIN=local; export GOTOOLCHAIN
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout 20"

echo "offgo_probe=1"
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

d=$releases_dir
while [ -n "$d" ] && [ "$d" != "/" ] && [ ! -d "$d" ]; do d=$(dirname "$d"); done
echo "free_kb=$(df -Pk "${d:-/}" 2>/dev/null | tail -n 1 | tr -s ' ' | cut -d ' ' -f 4)"

auditd=not_running
if command -v pgrep >/dev/null 2>&1; then
  pgrep -x auditd >/dev/null 2>&1 && auditd=running
else
  for c in /proc/[0-9]*/comm; do
    read -r name < "$c" 2>/dev/null && [ "$name" = auditd ] && { auditd=running; break; }
  done
fi
echo "auditd=$auditd"

saved_ifs=$IFS
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
