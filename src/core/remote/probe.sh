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
# checked binary). When that fingerprint is the one the jump host saw last, the probe stops
# there: a re-probe of an unchanged host costs a `stat`. (Free space and auditd are read by full
# probes, which the jump host forces every few minutes, and free space again by every push's
# pre-flight.)
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

if [ -n "$known_fingerprint" ] && [ "$fingerprint" = "$known_fingerprint" ]; then
  echo "unchanged=1"
  echo "probe_end=1"
  exit 0
fi

# Forks are what a probe costs the host: builtins are used wherever they do the job.
auditd=not_running
if command -v pgrep >/dev/null 2>&1; then
  pgrep -x auditd >/dev/null 2>&1 && auditd=running
else
  for c in /proc/[0-9]*/comm; do
    read -r name < "$c" 2>/dev/null && [ "$name" = auditd ] && { auditd=running; break; }
  done
fi
echo "auditd=$auditd"
free_kb() {
  # `df -P` prints a 7-word header, then device, size, used, available, …
  set -- $(df -Pk "$1" 2>/dev/null)
  echo "${11}"
}
d=$releases_dir
while [ -n "$d" ] && [ "$d" != "/" ] && [ ! -d "$d" ]; do d=${d%/*}; done
echo "free_kb=$(free_kb "${d:-/}")"

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
  out=$($limit "$go_root/bin/go" version 2>&1)
  echo "go_version_output=${out%%"$nl"*}"
fi
if [ -f "$go_root/VERSION" ] && read -r line < "$go_root/VERSION"; then
  echo "go_version_file=$line"
fi

if [ -e "$state_file" ]; then
  if [ -f "$state_file" ] && [ -r "$state_file" ]; then
    json=
    while IFS= read -r line || [ -n "$line" ]; do json="$json$line "; done < "$state_file"
    echo "state_json=$json"
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
    case "$out" in
      *"not found"*)
        set -f; IFS=$nl
        for line in $out; do
          case "$line" in *"not found"*) printf 'gap=%s\t%s\n' "$f" "$line" ;; esac
        done
        set +f; IFS=$saved_ifs ;;
    esac
  done
  IFS=$saved_ifs
done

if [ -e "$audit_log" ] || [ -L "$audit_log" ]; then
  if [ -f "$audit_log" ] && [ -r "$audit_log" ]; then
    counts() { set -- $(wc -lc < "$audit_log"); lines=$1; size=$2; }
    counts
    echo "audit_lines=$lines"
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
