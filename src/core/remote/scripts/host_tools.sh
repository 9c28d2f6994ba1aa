# SHA-256 and gunzip with the fastest tool the host has for the same work. The host contract
# needs only coreutils' sha256sum and gzip, and they are always the fallback. Where the host
# also has them (and host_tools is `auto`), OpenSSL's SHA-256 (which uses the CPU's SHA
# extensions; sha256sum does not) and a faster gzip decoder (ISA-L's igzip, zstd's gzip reader,
# pigz's unpigz) do the same work in a fraction of the CPU: a push's host time halves. Each is
# used only after it gave the right answer on a known input here, so an odd or missing build
# costs speed, never a verdict; every complaint an operator reads still comes from sha256sum -c.
# The pick costs ~20 ms of the host's CPU (its known answers), so only the verbs that hash or
# unpack make it, once when they start (`offgo_pick_tools` first thing), and the functions below,
# mostly run in subshells, share it; elsewhere a function makes it itself when first called.

offgo_sha= offgo_gz=
# offgo_pick_tools: sets offgo_sha (openssl|sha256sum) and offgo_gz (igzip|zstd|unpigz|gzip),
# once per script.
offgo_pick_tools() {
  [ -n "$offgo_sha" ] && return 0
  offgo_sha=sha256sum offgo_gz=gzip
  [ "${host_tools-auto}" = auto ] || return 0
  if command -v openssl >/dev/null 2>&1; then
    case $(printf abc | openssl dgst -sha256 -r 2>/dev/null) in
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad "*) offgo_sha=openssl ;;
    esac
  fi
  # The known answer: 3000 numbered lines (dynamic Huffman blocks, not only a literal one),
  # compared whole by their cksum, the last newline included.
  offgo_kat=$(seq 1 3000 2>/dev/null | cksum)
  for offgo_c in igzip zstd unpigz; do
    command -v "$offgo_c" >/dev/null 2>&1 || continue
    if [ "$(seq 1 3000 2>/dev/null | gzip -c | offgo_gunzip_with "$offgo_c" 2>/dev/null | cksum)" = "$offgo_kat" ] &&
      [ "$offgo_kat" != "$(: | cksum)" ]; then
      offgo_gz=$offgo_c
      break
    fi
  done
}

# offgo_gunzip_with DECODER: stdin, gzip-compressed, decoded to stdout.
offgo_gunzip_with() {
  case $1 in
    igzip) igzip -d -c ;;
    zstd) zstd -d -c -q --format=gzip ;;
    unpigz) unpigz -c ;;
    *) gzip -d -c ;;
  esac
}

# gunzip_stdin: stdin decoded to stdout by the chosen decoder.
gunzip_stdin() {
  offgo_pick_tools
  offgo_gunzip_with "$offgo_gz"
}

# sha256_stdin: the chosen tool's line for stdin (the hex digest, a space, then its own text).
sha256_stdin() {
  offgo_pick_tools
  if [ "$offgo_sha" = openssl ]; then openssl dgst -sha256 -r; else sha256sum; fi
}

# digest_of FILE: its sha256, lowercase hex.
digest_of() {
  offgo_d=$(sha256_stdin < "$1" 2>/dev/null) || return 1
  printf '%s' "${offgo_d%% *}"
}

# untar_gz TARBALL DIR [TAR OPTION...]: TARBALL unpacked into DIR. Fails with what went wrong in
# offgo_out: tar's complaints, or the decoder's exit status (without pipefail, a decoder that
# stops early would otherwise look like a short archive at best).
untar_gz() {
  offgo_tb=$1 offgo_dir=$2
  shift 2
  offgo_pick_tools
  if [ "$offgo_gz" != gzip ] && offgo_rcf=$(mktemp 2>/dev/null); then
    # tar stops reading at the archive's end blocks; what the decoder still has (zero padding,
    # a large blocking factor) is drained, so it never dies of SIGPIPE over a good tarball.
    offgo_out=$({ offgo_gunzip_with "$offgo_gz" < "$offgo_tb" 2>/dev/null; echo "$?" > "$offgo_rcf"; } |
      { tar -xf - -C "$offgo_dir" "$@" 2>&1; offgo_r=$?; cat > /dev/null; exit "$offgo_r"; })
    offgo_tar=$?
    offgo_gzrc=$(cat "$offgo_rcf" 2>/dev/null)
    rm -f "$offgo_rcf"
    if [ "$offgo_gzrc" != 0 ]; then
      offgo_out="$offgo_gz could not decode $offgo_tb (exit ${offgo_gzrc:-unknown})${offgo_out:+; $offgo_out}"
      return 1
    fi
    return "$offgo_tar"
  fi
  offgo_out=$(tar -xzf "$offgo_tb" -C "$offgo_dir" "$@" 2>&1)
}

# sums_ok_fast LIST [SKIP]: 0 only when OpenSSL's SHA-256 of every file LIST names (relative to
# the current directory; lines matching the grep pattern SKIP left out) is the one listed, and
# every line is a plain `HEX  PATH` line. Anything else (1) is for sha256sum -c to judge and
# explain: an escaped or unusual name, a missing or changed file, no OpenSSL.
sums_ok_fast() {
  offgo_pick_tools
  [ "$offgo_sha" = openssl ] || return 1
  offgo_lf=$1 offgo_skip=${2-}
  [ "$(sums_lines | wc -l)" -gt 0 ] || return 1
  # A name outside this set (a space, a backslash, a leading `-` openssl would read as an
  # option) is sha256sum's to read. `!` is in it: Go's module paths escape capitals with it,
  # in a release's own testdata and in every module cache.
  sums_lines | grep -a -v -q -E '^[0-9a-f]{64}  [A-Za-z0-9_.][A-Za-z0-9_./+@,=~!-]*$' && return 1
  offgo_sums_want=$(sums_lines | sed 's/^\([0-9a-f]\{64\}\)  /\1 */' | openssl dgst -sha256 -r) || return 1
  offgo_sums_got=$(sums_lines | cut -c 67- | tr '\n' '\0' | xargs -0 openssl dgst -sha256 -r 2>/dev/null |
    openssl dgst -sha256 -r) || return 1
  [ "${offgo_sums_want%% *}" = "${offgo_sums_got%% *}" ]
}
sums_lines() {
  if [ -n "$offgo_skip" ]; then grep -a -v -e "$offgo_skip" "$offgo_lf"; else cat "$offgo_lf"; fi
}

