# offgo probe (POSIX sh). The jump host prepends the quoted inputs:
#   go_root, releases_dir, state_file, audit_log, audit_cap, profile_script, go_env_vars (the Go
#   environment variables to report, space-separated upper-case names), known_fingerprint (the
#   last probe's, or empty), and `set -- GLOB...` (check_binaries); for Go applications
#   apps_dir, apps_state_dir, health_seconds and `app_health_cmd NAME` (sets $health_cmd).
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
# Go applications: each directory of $apps_dir named as `app build` names apps (anything else
# is not offgo's), at most 64. Their `current` link, state, manifest and binary join the stat.
apps=
app_files=
n_apps=0
for d in "$apps_dir"/*; do
  [ -d "$d" ] || continue
  a=${d##*/}
  case $a in ''|[!a-z0-9]*|*[!a-z0-9_-]*) continue ;; esac
  [ ${#a} -le 64 ] || continue
  n_apps=$((n_apps + 1))
  [ $n_apps -le 64 ] || break
  apps="$apps$a$nl"
  app_files="$app_files$d/current$nl$apps_state_dir/$a.json$nl$d/current/.offgo-app.toml$nl$d/current/bin/$a$nl"
done
# Health: the inventory's command for an app, once, no retry, as the login user, bounded by
# `timeout` (its whole process group), with the OFFGO_APP* variables a push gives it. Its verdict joins the fingerprint, so a service that
# goes down makes a full probe; its words alone do not (a changing message would make every
# probe a full one). Output: the first KiB is kept (the rest drained), the status after it.
health_sum=
have_timeout=
command -v timeout >/dev/null 2>&1 && have_timeout=1
for a in $apps; do
  app_health_cmd "$a" || continue
  if [ -z "$have_timeout" ]; then
    kv app_health "$a not_run"
    kv app_health_output "$a the host has no \`timeout\` to bound the health command: not run"
    health_sum="$health_sum$a=not_run;"
    continue
  fi
  # What the command sees when a push runs it (app_ops.rs service_env).
  app_v=$(readlink "$apps_dir/$a/current" 2>/dev/null) || app_v=
  res=$(exec 3>&1; rc=$( { { OFFGO_APP=$a OFFGO_APP_VERSION=${app_v##*/} OFFGO_APP_DIR=$apps_dir/$a/current \
    timeout -k 1 "$health_seconds" sh -c "$health_cmd" </dev/null 2>&1 \
    3>&- 4>&-; echo $? >&4; } | { head -c 1024; cat >/dev/null; } >&3; } 4>&1 ); printf '\n%s' "$rc")
  rc=${res##*"$nl"}
  out=${res%"$nl"*}
  if [ "$rc" = 0 ]; then
    kv app_health "$a ok"
    health_sum="$health_sum$a=ok;"
  else
    [ "$rc" = 124 ] && out="no answer within ${health_seconds}s (exit 124)${out:+: $out}"
    [ -n "$out" ] || out="exit status $rc, no output"
    kv app_health "$a failed"
    kv app_health_output "$a ${out%%"$nl"*}"
    health_sum="$health_sum$a=failed;"
  fi
done
set -f
IFS=$nl
# go.env, the profiles and the user's go/env file decide what `go env` says.
stats=$(stat -c '%N %s %Y %Z %i' "$go_root" "$go_root/VERSION" "$go_root/bin/go" "$state_file" \
  "$audit_log" "$helper" "$go_root/go.env" "$profile_script" "$env_profile" "$shim_dir" /etc/profile "$HOME/.profile" \
  "$HOME/.config/go/env" ${athens_state:+"$athens_state"} /etc/ld.so.cache /lib /usr/lib /lib64 /usr/lib64 /lib/x86_64-linux-gnu \
  /usr/lib/x86_64-linux-gnu /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu $bins "$apps_dir" \
  $app_files 2>/dev/null)
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
fingerprint="$fingerprint$health_sum"
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
version_file=
if [ -f "$go_root/VERSION" ] && read -r line < "$go_root/VERSION"; then
  version_file=$line
  kv go_version_file "$line"
fi

# The value of KEY in `go env -json`'s output $out (Go writes one `<tab>"KEY": "value"` line
# per key) into $jv, when it is a plain word; else empty.
json_word() {
  jv=
  case $out in *"$nl	\"$1\": \""*) ;; *) return 0 ;; esac
  jv=${out#*"$nl	\"$1\": \""}; jv=${jv%%\"*}
  case $jv in ''|*[!A-Za-z0-9._-]*) jv= ;; esac
}

# The Go environment, two ways, from / (no go.mod nearby can ask for another toolchain):
# as a service sees it (an empty environment: go.env and Go's defaults), and as an operator's
# login shell sees it (its profiles, the user's go/env file). Only when go is there.
# Go processes are most of what a probe costs a host, so the service view's `go env` also
# answers `go version` (go_version_output): `go version` prints GOVERSION (the binary's
# runtime.Version) and GOHOSTOS/GOHOSTARCH (the binary's own platform), and these are taken
# only when GOVERSION is the VERSION file's very line, so that neither a toolchain switch nor a
# custom build can be passed off as the installed release; otherwise `go version` runs. The
# keys added for it are named in go_env_service_extra, and the jump host drops them from the
# view.
go_says=
if [ -n "$go_env_vars" ] && [ -x "$go_root/bin/go" ]; then
  extra=
  for k in GOHOSTARCH GOHOSTOS GOVERSION; do
    case " $go_env_vars " in *" $k "*) ;; *) extra="$extra $k" ;; esac
  done
  out=$(cd / && env -i "$go_root/bin/go" env -json $go_env_vars $extra 2>&1)
  kv go_env_service "$out"
  [ -n "$extra" ] && kv go_env_service_extra "${extra# }"
  json_word GOVERSION; v=$jv
  json_word GOHOSTOS; os=$jv
  json_word GOHOSTARCH
  if [ -n "$v" ] && [ "$v" = "$version_file" ] && [ -n "$os" ] && [ -n "$jv" ]; then
    go_says="go version $v $os/$jv"
  fi
fi
if [ -n "$go_says" ]; then
  kv go_version_output "$go_says"
elif [ -e "$go_root/bin/go" ]; then
  # No `timeout` here (a process more): the jump host bounds the whole probe.
  out=$("$go_root/bin/go" version 2>&1)
  kv go_version_output "${out%%"$nl"*}"
fi
if [ -n "$go_env_vars" ] && [ -x "$go_root/bin/go" ]; then
  login=/bin/sh
  case "$SHELL" in /*) [ -x "$SHELL" ] && login=$SHELL ;; esac
  out=$(cd / && env -i HOME="$HOME" USER="$USER" LOGNAME="$LOGNAME" SHELL="$login" \
    PATH=/usr/local/bin:/usr/bin:/bin "$login" -lc 'exec "$0" env -json "$@"' "$go_root/bin/go" \
    $go_env_vars 2>&1 </dev/null)
  kv go_env_login "$out"
fi

# offgo's go1.X.Y shims (go_shims): the mark go_env.sh writes on their second line, read with
# builtins.
for f in "$shim_dir"/go1*; do
  [ -f "$f" ] || continue
  { read -r l1 && read -r l2; } < "$f" 2>/dev/null || continue
  [ "$l2" = '# offgo shim (go_shims): written by offgo-tui, removed with its release' ] && kv go_shim "${f##*/}"
done

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
# cannot read plainly) is run itself, once for all binaries. ldd is read when there is a file
# to check (`read` takes a byte per system call: not for nothing).
rtlds=
rtlds_read=
read_rtlds() {
  rtlds_read=1
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
}

# Prints what ldd said of $current (static or dynamic, and its gaps), then forgets it; keys
# start with $prefix (`app_` for an app's binary). Called with IFS=newline and globbing off.
kind=dynamic; gaps=; current=; prefix=
report_bin() {
  [ -n "$current" ] || return 0
  if [ "$kind" = static ]; then
    kv "${prefix}bin_static" "$current"
  else
    kv "${prefix}bin" "$current"
    for g in $gaps; do kv "${prefix}gap" "$g"; done
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
# check_ldd PREFIX LIST: ldd's verdict on each file of the newline-separated LIST.
check_ldd() {
  prefix=$1; current=; kind=dynamic; gaps=
  set -f; IFS=$nl
  list=$2
  set --
  for f in $list; do
    if [ ! -e "$f" ]; then kv "${prefix}bin_missing" "$f"; continue; fi
    [ -f "$f" ] || continue
    [ -n "$rtlds_read" ] || read_rtlds
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
    for f in "$@"; do kv "${prefix}bin" "$f"; done
  fi
  set +f; IFS=$saved_ifs
}
check_ldd '' "$bins"

# Each app: what `current` links to, its state file and the release's manifest (both bounded:
# one byte over the limit tells the jump host it was cut), and ldd's verdict on its binary.
for a in $apps; do
  d=$apps_dir/$a
  kv app "$a"
  [ -L "$d/current" ] && kv app_link "$(readlink "$d/current" 2>/dev/null)"
  f=$apps_state_dir/$a.json
  if [ -f "$f" ] && [ -r "$f" ]; then
    kv app_state "$(head -c 16385 "$f" 2>/dev/null)"
  elif [ -e "$f" ]; then
    echo "app_state_unreadable=1"
  fi
  f=$d/current/.offgo-app.toml
  if [ -f "$f" ] && [ -r "$f" ]; then
    kv app_manifest "$(head -c 65537 "$f" 2>/dev/null)"
  elif [ -e "$f" ]; then
    echo "app_manifest_unreadable=1"
  fi
  check_ldd app_ "$d/current/bin/$a"
done

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
