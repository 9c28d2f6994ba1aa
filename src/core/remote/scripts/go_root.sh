# Shared by install.sh, switch.sh and verify.sh: the one way go_root changes, and the clean-up of whatever
# an earlier run cut short left behind. Temp names are offgo's own; go_root and releases in use
# are never removed.

# relink TARGET: points go_root at TARGET in one rename. The temp link name is cleared first,
# whatever it is (a link, a file, a directory left by a crash): that name only, never go_root.
relink() {
  rm -rf "$go_root.offgo-new" &&
    ln -s "$1" "$go_root.offgo-new" &&
    mv -T "$go_root.offgo-new" "$go_root"
}

# keep_state: state.json as it is before a switch, kept in this shell (no file a crash could
# leave behind), for a switch back to restore.
keep_state() {
  offgo_had_state=
  if [ -f "$state_file" ]; then
    offgo_old_state=$(cat "$state_file") && offgo_had_state=1
  fi
}

# restore_state: state.json as it was before the switch (none, when there was none).
restore_state() {
  if [ -n "$offgo_had_state" ]; then
    printf '%s\n' "$offgo_old_state" > "$state_file.offgo-new" &&
      mv -f "$state_file.offgo-new" "$state_file"
  else
    rm -f "$state_file"
  fi
}

# offgo_in_use PATH: go_root runs from PATH or from inside it.
offgo_in_use() {
  offgo_real=$(readlink -f "$1" 2>/dev/null) || return 1
  offgo_active=$(readlink -f "$go_root" 2>/dev/null) || return 1
  case $offgo_active in
    "$offgo_real" | "$offgo_real"/*) return 0 ;;
  esac
  return 1
}

# clean_leftovers: temp links and trees of earlier runs, killed at any step. A hand-installed
# go_root moved aside for a switch that never happened goes back first. $offgo_keep, when set,
# is spared (install's own one-pass tree, which it checks itself).
offgo_keep=
clean_leftovers() {
  if [ ! -e "$go_root" ] && [ ! -L "$go_root" ]; then
    for c in "$go_root".offgo-adopted-*; do
      [ -d "$c" ] && [ ! -L "$c" ] && mv "$c" "$go_root" && kv restored "$go_root" && break
    done
  fi
  for c in "$go_root.offgo-new" "$go_root".offgo-adopted-* \
    "$releases_dir"/.offgo-* "$releases_dir"/*.offgo-old "$releases_dir"/*/go.offgo-copy \
    "$releases_dir"/*/*.offgo-new "$state_file.offgo-new" "$profile_script.offgo-new" \
    "$env_profile.offgo-new" "$releases_dir"/*/go/go.env.offgo-new "$shim_dir"/go1*.offgo-new; do
    [ -e "$c" ] || [ -L "$c" ] || continue
    [ "$c" = "${offgo_keep-}" ] && continue
    # A link is only a name: removing it never touches what it points at.
    [ ! -L "$c" ] && offgo_in_use "$c" && continue
    rm -rf "$c" && kv cleaned "$c"
  done
}

# tree_sums DIR: DIR's regular files as a bundle's sha256sums lists them (`go/` paths, byte
# order), so its digest equals the bundle's tree_digest exactly when the files are the same.
tree_sums() (
  cd "$1/" || exit 1
  find . -type f -print0 | sort -z | xargs -0 -r sha256sum | sed 's|^\([0-9a-f]\{64\}\)  \./|\1  go/|'
)

# go_version GODIR: what `GODIR/bin/go version` printed (its first line), in $offgo_out. A Go
# this kernel cannot execute ("Exec format error") cannot say its version. When its ELF machine
# is the architecture this host reports, the host reports an arch its CPU is not and no emulator
# (qemu-user) is registered: a test host faking its arch. Only then is $offgo_out made from
# GODIR/VERSION, and $offgo_not_run says so plainly for the output; the tree's files are checked
# against the bundle's sha256sums as for any push. Any other failure stays the output.
go_version() {
  offgo_not_run=
  offgo_out=$(offgo_untrusted "$1/bin/go" version 2>&1 | head -n 1)
  case $offgo_out in *"Exec format error"*) ;; *) return 0 ;; esac
  offgo_m=$(elf_machine "$1/bin/go") || return 0
  offgo_a=$(reported_arch)
  [ "$offgo_m" = "$(machine_of "$offgo_a")" ] || return 0
  offgo_v=$(head -n 1 "$1/VERSION" 2>/dev/null)
  case $offgo_v in go[0-9]*) ;; *) return 0 ;; esac
  offgo_not_run="go version not run: $1/bin/go is an ELF binary for $offgo_a, the arch this host reports, but this machine cannot execute it (Exec format error: the CPU is not the reported arch and no emulator such as qemu-user is registered); its version is read from $1/VERSION ($offgo_v) and its files are checked by the bundle's sha256sums"
  offgo_out="go version $offgo_v (read from $1/VERSION: go version not run)"
}

# The arch the host reports, as the probe reads it.
reported_arch() {
  offgo_r=
  [ -r /proc/sys/kernel/arch ] && read -r offgo_r < /proc/sys/kernel/arch
  [ -n "$offgo_r" ] || offgo_r=$(uname -m 2>/dev/null)
  printf '%s\n' "$offgo_r"
}

# elf_machine FILE: FILE's ELF e_machine, in decimal; fails for a file that is no ELF.
elf_machine() {
  offgo_b=$(od -An -tu1 -N20 "$1" 2>/dev/null) || return 1
  # shellcheck disable=SC2086 # one field per byte
  set -- $offgo_b
  [ $# -eq 20 ] && [ "$1 $2 $3 $4" = "127 69 76 70" ] || return 1
  if [ "$6" = 2 ]; then echo $((${19} * 256 + ${20})); else echo $((${20} * 256 + ${19})); fi
}

# machine_of UNAME_M: the ELF e_machine of binaries for that arch.
machine_of() {
  case $1 in
    x86_64 | amd64) echo 62 ;;
    aarch64 | arm64) echo 183 ;;
    i?86) echo 3 ;;
    arm*) echo 40 ;;
    ppc64*) echo 21 ;;
    s390x) echo 22 ;;
    riscv64) echo 243 ;;
    loongarch64) echo 258 ;;
    mips*) echo 8 ;;
    *) echo none ;;
  esac
}
