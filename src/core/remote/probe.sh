# offgo probe (POSIX sh). The jump host prepends the quoted inputs:
#   go_root, releases_dir, state_file, audit_log, audit_cap, profile_script, go_env_vars (the Go
#   environment variables to report, space-separated upper-case names), known_fingerprint (the
#   last probe's, or empty), and `set -- GLOB...` (check_binaries).
# Prints key=value lines, every value through `kv` (the prelude: a newline or backslash in a value
# is escaped, so no host content can start a line); the audit log comes last, framed by its byte
# count so that any bytes in it (a tampered log may hold anything) cannot be mistaken for probe keys.
LC_ALL=C; export LC_ALL
# Never let a `go` command try to download a toolchain: these hosts have no internet.
GOTOOLCHAIN=local; export GOTOOLCHAIN
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout 20"

echo "offgo_probe=1"

# Re-probes are cheap: one `stat` of everything the full probe reads (go_root, its VERSION and
# go binary, state.json, the audit log, the loader cache, the library directories and every
# checked binary). When that fingerprint is the one the jump host saw last, the probe stops
# there: a re-probe of an unchanged host costs one `stat`. (Free space and auditd are read by full
# probes, which the jump host forces every few minutes, and free space again by every push's
# pre-flight.)
saved_ifs=$IFS
nl='
'
bins=
# The list is newline-joined: a name holding a newline would split into two bogus names, so it is
# not checked, and said so (its name escaped by kv).
for pattern in "$@"; do
  IFS=''
  for f in $pattern; do
    case $f in
      *"$nl"*) kv bin_unchecked "$f" ;;
      *) bins="$bins$f$nl" ;;
    esac
  done
  IFS=$saved_ifs
done
set -f
IFS=$nl
# go.env, the profiles and the user's go/env file decide what `go env` says.
stats=$(stat -c '%N %s %Y %Z %i' "$go_root" "$go_root/VERSION" "$go_root/bin/go" "$state_file" \
  "$audit_log" "$helper" "$go_root/go.env" "$profile_script" /etc/profile "$HOME/.profile" \
  "$HOME/.config/go/env" ${athens_state:+"$athens_state"} /etc/ld.so.cache /lib /usr/lib /lib64 /usr/lib64 /lib/x86_64-linux-gnu \
  /usr/lib/x86_64-linux-gnu /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu $bins 2>/dev/null)
# The stat lines themselves, on one line, are the fingerprint (no checksum process to run);
# only a long list of binaries is worth a cksum to keep re-probe scripts small.
# The audit log's line, when it exists and its name needs no quoting, also gives its size.
fingerprint=
audit_size=
for line in $stats; do
  fingerprint="$fingerprint$line;"
  case "$line" in
    "'$audit_log' "[0-9]*) rest=${line#"'$audit_log' "}; audit_size=${rest%% *} ;;
  esac
done
case "$audit_size" in *[!0-9]*) audit_size= ;; esac
IFS=$saved_ifs
set +f
if [ ${#fingerprint} -gt 4096 ]; then
  fingerprint=$(printf '%s' "$fingerprint" | cksum)
fi
kv fingerprint "$fingerprint"

if [ -n "$known_fingerprint" ] && [ "$fingerprint" = "$known_fingerprint" ]; then
  echo "unchanged=1"
  echo "probe_end=1"
  exit 0
fi

# Forks are what a probe costs the host (each is a millisecond or more): builtins are used
# wherever they do the job. auditd: its pid file, else a walk over /proc (no pgrep).
auditd=not_running
for f in /run/auditd.pid /var/run/auditd.pid; do
  if [ -r "$f" ] && read -r pid < "$f" && [ -r "/proc/$pid/comm" ] && read -r name < "/proc/$pid/comm" \
    && [ "$name" = auditd ]; then
    auditd=running; break
  fi
done
if [ "$auditd" = not_running ]; then
  for c in /proc/[0-9]*/comm; do
    read -r name < "$c" 2>/dev/null && [ "$name" = auditd ] && { auditd=running; break; }
  done
fi
kv auditd "$auditd"
d=$releases_dir
while [ -n "$d" ] && [ "$d" != "/" ] && [ ! -d "$d" ]; do d=${d%/*}; done
# `df -P` prints a 7-word header, then device, size, used, available, … (the positional
# parameters are free: the check_binaries globs were expanded into $bins above).
set -- $(df -Pk "${d:-/}" 2>/dev/null)
kv free_kb "${11}"

arch=
[ -r /proc/sys/kernel/arch ] && read -r arch < /proc/sys/kernel/arch
[ -n "$arch" ] || arch=$(uname -m 2>/dev/null)
kv arch "$arch"

# offgo's helper (the one command a deploy user's rule grants): its digest, read unprivileged
# (it is root-owned, world-readable), compared on the jump host with the one the rule pins.
if [ -f "$helper" ]; then
  helper_sum=$(sha256sum < "$helper" 2>/dev/null) && kv helper_sha256 "${helper_sum%% *}"
fi

if [ -L "$go_root" ]; then
  echo "go_root_kind=symlink"
  kv go_root_target "$(readlink "$go_root" 2>/dev/null)"
elif [ -d "$go_root" ]; then
  echo "go_root_kind=dir"
elif [ -e "$go_root" ]; then
  echo "go_root_kind=other"
else
  echo "go_root_kind=missing"
fi
if [ -e "$go_root/bin/go" ]; then
  # No `timeout` here (a process more): the jump host bounds the whole probe.
  out=$("$go_root/bin/go" version 2>&1)
  kv go_version_output "${out%%"$nl"*}"
fi
if [ -f "$go_root/VERSION" ] && read -r line < "$go_root/VERSION"; then
  kv go_version_file "$line"
fi

# The Go environment, two ways, from / (no go.mod nearby can ask for another toolchain):
# as a service sees it (an empty environment: go.env and Go's defaults), and as an operator's
# login shell sees it (its profiles, the user's go/env file). Only when go is there.
if [ -n "$go_env_vars" ] && [ -x "$go_root/bin/go" ]; then
  out=$(cd / && env -i "$go_root/bin/go" env -json $go_env_vars 2>&1)
  kv go_env_service "$out"
  login=/bin/sh
  case "$SHELL" in /*) [ -x "$SHELL" ] && login=$SHELL ;; esac
  out=$(cd / && env -i HOME="$HOME" USER="$USER" LOGNAME="$LOGNAME" SHELL="$login" \
    PATH=/usr/local/bin:/usr/bin:/bin "$login" -lc 'exec "$0" env -json "$@"' "$go_root/bin/go" \
    $go_env_vars 2>&1 </dev/null)
  kv go_env_login "$out"
fi

if [ -e "$state_file" ]; then
  if [ -f "$state_file" ] && [ -r "$state_file" ]; then
    json=
    while IFS= read -r line || [ -n "$line" ]; do json="$json$line "; done < "$state_file"
    kv state_json "$json"
  else
    echo "state_unreadable=1"
  fi
fi

# A host with athens_storage: which module-cache bundle its Athens was preloaded with.
if [ -n "${athens_state-}" ]; then
  athens_bundle=
  if [ -f "$athens_state" ] && [ -r "$athens_state" ]; then
    while IFS= read -r line || [ -n "$line" ]; do athens_bundle="$athens_bundle$line"; done < "$athens_state"
    case $athens_bundle in
      *'"bundle":"'*) athens_bundle=${athens_bundle#*'"bundle":"'}; athens_bundle=${athens_bundle%%'"'*} ;;
      *) athens_bundle= ;;
    esac
  fi
  kv athens_bundle "$athens_bundle"
fi

# ldd. glibc's ldd is a bash script that asks each loader in its RTLDLIST (`--verify`: 0 or 2
# dynamic, 1 not) and then runs the binary's loader with LD_TRACE_LOADED_OBJECTS=1. Doing the
# same here with the host's own RTLDLIST gives ldd's very lines without its shell and
# subshells, most of what a probe costs the host. Any other ldd (musl, busybox, an RTLDLIST we
# cannot read plainly) is run itself, once for all binaries.
rtlds=
for l in /usr/bin/ldd /bin/ldd; do
  [ -f "$l" ] && [ -r "$l" ] || continue
  n=0
  while [ $n -lt 80 ] && IFS= read -r line; do
    n=$((n + 1))
    case "$line" in
      RTLDLIST=*) rtlds=${line#RTLDLIST=}; rtlds=${rtlds#\"}; rtlds=${rtlds%\"}; break ;;
    esac
  done < "$l"
  break
done
case "$rtlds" in
  /*) case "$rtlds" in *[!A-Za-z0-9/._+\ -]*) rtlds= ;; esac ;;
  *) rtlds= ;;
esac

# Prints what ldd said of $current (static or dynamic, and its gaps), then forgets it.
# Called with IFS=newline and globbing off.
kind=dynamic; gaps=; current=
report_bin() {
  [ -n "$current" ] || return 0
  if [ "$kind" = static ]; then
    kv bin_static "$current"
  else
    kv bin "$current"
    for g in $gaps; do kv gap "$g"; done
  fi
  kind=dynamic; gaps=
}
# Notes one line of ldd's output about $current.
ldd_line() {
  case "$1" in
    *"not a dynamic executable"*|*"statically linked"*) kind=static ;;
    *"not found"*) gaps="$gaps$current	$1$nl" ;;
  esac
}
set -f; IFS=$nl
set --
for f in $bins; do
  if [ ! -e "$f" ]; then kv bin_missing "$f"; continue; fi
  [ -f "$f" ] || continue
  if [ -z "$rtlds" ]; then set -- "$@" "$f"; continue; fi
  current=$f
  ret=1
  IFS=' '
  for rtld in $rtlds; do
    [ -x "$rtld" ] || continue
    "$rtld" --verify "$f" >/dev/null 2>&1; ret=$?
    case $ret in 0|2) break ;; esac
  done
  IFS=$nl
  case $ret in
    0|2)
      out=$(LD_TRACE_LOADED_OBJECTS=1 "$rtld" "$f" 2>&1)
      for line in $out; do ldd_line "$line"; done ;;
    *) kind=static ;;
  esac
  report_bin
done
if [ $# -gt 0 ]; then
  # ldd itself: with more than one file it heads each file's lines with `FILE:`.
  IFS=$saved_ifs  # so that $limit splits into `timeout 20`
  out=$($limit ldd -- "$@" 2>&1)
  IFS=$nl
  multi=; [ $# -gt 1 ] && multi=1
  [ -z "$multi" ] && { current=$1; shift; }
  for line in $out; do
    case "$line" in
      "	"*) ldd_line "$line" ;;
      *)
        # The next file's header: files come in the order they were given.
        if [ -n "$multi" ] && [ $# -gt 0 ] && [ "$line" = "$1:" ]; then
          report_bin; current=$1; shift
        fi ;;
    esac
  done
  report_bin
  # Files ldd never got to (it was cut short): nothing known against them, as before.
  for f in "$@"; do kv bin "$f"; done
fi
set +f; IFS=$saved_ifs

if [ -e "$audit_log" ] || [ -L "$audit_log" ]; then
  if [ -f "$audit_log" ] && [ -r "$audit_log" ]; then
    # The size came with the fingerprint's stat; the lines are counted by the jump host from
    # what it gets, unless the name needed quoting (no size) or the log is over the cap.
    size=$audit_size
    if [ -z "$size" ] || [ "$size" -gt "$audit_cap" ]; then
      set -- $(wc -lc < "$audit_log")
      kv audit_lines "$1"
      size=$2
    fi
    if [ "$size" -gt "$audit_cap" ]; then
      echo "audit_truncated=1"
      kv audit_size "$audit_cap"
      echo "audit_begin"
      tail -c "$audit_cap" "$audit_log"
    else
      kv audit_size "$size"
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
