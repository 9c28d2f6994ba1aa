# The Go environment policy on a host (DESIGN.md, "Go environment policy"), shared by install.sh,
# switch.sh, verify.sh and go_env_apply.sh. Inputs: go_env (one NAME=VALUE a line; both ends
# check that a value is printable ASCII without ' " \ ` $), shims ("", "all" or release names).
# Both views get the policy: `$GOROOT/go.env` (read by every go process, a service's too) is
# offgo's block followed by the release's official lines, unchanged, and env_profile (login
# shells) exports each value. The block comes first because go reads go.env first-wins (a key
# already set is skipped). What was written is recorded in state.json (`go_env`: the policy and
# each file's sha256), so verify tells offgo's policy from a later edit.
offgo_env_begin='# offgo go_env policy: written by offgo-tui from [go_env]; verify reports an edit as tampered'
offgo_env_end='# end of offgo go_env policy'
offgo_shim_mark='# offgo shim (go_shims): written by offgo-tui, removed with its release'

# official_go_env FILE: FILE without offgo's block (the release's official lines), on stdout.
official_go_env() { sed '/^# offgo go_env policy:/,/^# end of offgo go_env policy$/d' "$1"; }

# env_overlay TREE: writes TREE/go.env.offgo-new, the policy's block and then the release's
# official lines (what go.env holds besides offgo's block, checked against the release's signed
# list when it has one); sets go_env_sha256 to the new file's digest. Without go.env and without
# a policy there is nothing to write. Returns 1 with offgo_why set when it can't.
env_overlay() {
  offgo_f="$1/go.env"
  go_env_sha256=
  rm -f "$offgo_f.offgo-new"
  [ -f "$offgo_f" ] || [ -n "$go_env" ] || return 0
  if [ -f "$offgo_f" ] && [ -f "$1/../sha256sums" ]; then
    offgo_listed=$(grep '  go/go\.env$' "$1/../sha256sums" | cut -c 1-64)
    offgo_has=$(official_go_env "$offgo_f" | digest_of /dev/stdin)
    if [ -n "$offgo_listed" ] && [ "$offgo_has" != "$offgo_listed" ]; then
      offgo_why="the official lines of $offgo_f are not the release's (sha256 $offgo_has, its signed list says $offgo_listed): push the bundle again to repair the tree"
      return 1
    fi
  fi
  {
    [ -z "$go_env" ] || printf '%s\n%s\n%s\n' "$offgo_env_begin" "$go_env" "$offgo_env_end"
    [ ! -f "$offgo_f" ] || official_go_env "$offgo_f"
  } > "$offgo_f.offgo-new" || { offgo_why="cannot write $offgo_f.offgo-new (is the disk full?)"; return 1; }
  go_env_sha256=$(digest_of "$offgo_f.offgo-new")
}

# env_profile_new: writes env_profile.offgo-new, one `export NAME='VALUE'` a variable (nothing
# without a policy: the file goes); sets profile_sha256.
env_profile_new() {
  profile_sha256=
  rm -f "$env_profile.offgo-new"
  [ -n "$go_env" ] || return 0
  mkdir -p "${env_profile%/*}" 2>/dev/null
  {
    printf '%s\n' "# Written by offgo-tui from [go_env]: the Go environment of login shells (services read \$GOROOT/go.env). Do not edit: verify reports edits."
    set -f; IFS=$offgo_nl
    for offgo_l in $go_env; do
      offgo_esc "${offgo_l#*=}" "'" "'\\''"
      printf "export %s='%s'\n" "${offgo_l%%=*}" "$offgo_r"
    done
    set +f; IFS=' 	
'
  } > "$env_profile.offgo-new" || { offgo_why="cannot write $env_profile.offgo-new"; return 1; }
  profile_sha256=$(digest_of "$env_profile.offgo-new")
}

# env_profile_commit: the new login profile takes its place (or the old one goes).
env_profile_commit() {
  if [ -f "$env_profile.offgo-new" ]; then
    mv -f "$env_profile.offgo-new" "$env_profile"
  else
    rm -f "$env_profile"
  fi
}

# with_record STATE: STATE (offgo's one-line state.json, the record last when there is one) with
# its go_env record replaced by this policy's (none without a policy), on stdout.
with_record() {
  offgo_base=${1%%,\"go_env\":*}
  [ "$offgo_base" = "$1" ] && offgo_base=${1%\}}
  if [ -z "$go_env" ]; then
    printf '%s}' "$offgo_base"
    return 0
  fi
  offgo_p=
  set -f; IFS=$offgo_nl
  for offgo_l in $go_env; do offgo_p="$offgo_p,\"${offgo_l%%=*}\":\"${offgo_l#*=}\""; done
  set +f; IFS=' 	
'
  printf '%s,"go_env":{"policy":{%s},"go_env_sha256":"%s","profile_sha256":"%s"}}' \
    "$offgo_base" "${offgo_p#,}" "$go_env_sha256" "$profile_sha256"
}

# is_offgo_shim FILE: FILE is a shim offgo wrote (its second line is the mark).
is_offgo_shim() {
  { read -r offgo_l1 && read -r offgo_l2; } < "$1" 2>/dev/null && [ "$offgo_l2" = "$offgo_shim_mark" ]
}

# write_shims: `shim_dir/go1.X.Y` for each wanted release the host keeps (GOROOT set to it, then
# exec of its go), and offgo's shims of releases not wanted or gone removed. A file there that
# is not offgo's is left alone and said. Prints go_shim=, shim_removed=, shim_skipped=.
write_shims() {
  offgo_want=
  if [ "$shims" = all ]; then
    for offgo_g in "$releases_dir"/go1*/go/bin/go; do
      [ -x "$offgo_g" ] || continue
      offgo_v=${offgo_g#"$releases_dir"/}
      offgo_want="$offgo_want ${offgo_v%%/*}"
    done
  else
    for offgo_v in $shims; do
      [ -x "$releases_dir/$offgo_v/go/bin/go" ] && offgo_want="$offgo_want $offgo_v"
    done
  fi
  for offgo_shim in "$shim_dir"/go1*; do
    [ -f "$offgo_shim" ] && is_offgo_shim "$offgo_shim" || continue
    case " $offgo_want " in
      *" ${offgo_shim##*/} "*) ;;
      *) rm -f "$offgo_shim" && kv shim_removed "${offgo_shim##*/}" ;;
    esac
  done
  [ -n "$offgo_want" ] || return 0
  mkdir -p "$shim_dir" || { offgo_why="cannot create $shim_dir"; return 1; }
  for offgo_v in $offgo_want; do
    # Release directory names come from the host: only a plain version becomes a command name.
    case $offgo_v in *[!A-Za-z0-9.]*) continue ;; esac
    offgo_shim="$shim_dir/$offgo_v"
    if { [ -e "$offgo_shim" ] || [ -L "$offgo_shim" ]; } && ! is_offgo_shim "$offgo_shim"; then
      kv shim_skipped "$offgo_shim is not offgo's: left as it is"
      continue
    fi
    offgo_esc "$releases_dir/$offgo_v/go" "'" "'\\''"
    printf "#!/bin/sh\n%s\nGOROOT='%s'; export GOROOT\nexec \"\$GOROOT/bin/go\" \"\$@\"\n" \
      "$offgo_shim_mark" "$offgo_r" > "$offgo_shim.offgo-new" &&
      chmod 755 "$offgo_shim.offgo-new" && mv -f "$offgo_shim.offgo-new" "$offgo_shim" ||
      { rm -f "$offgo_shim.offgo-new"; offgo_why="cannot write $offgo_shim"; return 1; }
    kv go_shim "$offgo_v"
  done
}

# check_tree DIR: DIR/go's files against DIR/sha256sums (`sha256sum -c`), go/go.env by its
# official lines (offgo's block after them is the go_env check's). offgo_out: what differs;
# offgo_tree_by: which tool read the files (openssl or sha256sum).
check_tree() {
  offgo_out= offgo_tree_by=openssl
  if ! (cd "$1" && sums_ok_fast sha256sums '  go/go\.env$'); then
    offgo_tree_by=sha256sum
    offgo_out=$(cd "$1" && grep -a -v '  go/go\.env$' sha256sums | sha256sum -c --quiet - 2>&1) || return 1
  fi
  offgo_listed=$(grep '  go/go\.env$' "$1/sha256sums" | cut -c 1-64)
  [ -n "$offgo_listed" ] || return 0
  offgo_has=$(official_go_env "$1/go/go.env" 2>/dev/null | digest_of /dev/stdin)
  [ "$offgo_has" = "$offgo_listed" ] && return 0
  offgo_out="go/go.env: FAILED (its official lines have sha256 $offgo_has, the bundle lists $offgo_listed)"
  return 1
}
