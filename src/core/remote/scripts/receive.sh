# An upload through the helper: the rest of stdin is the file. The signed file list goes to
# incoming/<version>.sha256sums; the tarball streams into its `.part` (appended to when an
# interrupted upload resumes) and takes its name once complete. install checks both.
#
# A Go tarball (`file=go-tarball`) sent whole is read once: the same bytes go to the `.part`
# (kept for a resume), to the SHA-256 and to the gzip decoder and tar, into a private (0700)
# directory of releases_dir that nothing uses, with the hash they had written beside it. install.sh uses
# that tree only once the hash is the bundle's; anything else (a resume, a failed unpack, a
# hash missing) leaves no hash there, and install re-reads the tarball as before.
umask 022
mkdir -p "$incoming" || { kv why "cannot create $incoming"; exit 1; }
stream="$releases_dir/.offgo-stream-${version-}"

# receive_unpacking: the one read. 1 when the private directory can't be made (nothing read
# yet: the plain upload runs), 2 when the `.part` could not be written.
receive_unpacking() {
  # Picked here, once: the hash and the decoder run in subshells of their own.
  offgo_pick_tools
  mkdir -p "$releases_dir" 2>/dev/null
  # What an earlier, cut stream left (or a link put in its place: only the link goes).
  rm -rf "$stream"
  mkdir -m 700 "$stream" 2>/dev/null && mkdir "$stream/tree" &&
    mkfifo "$stream/hash.fifo" "$stream/tar.fifo" || { rm -rf "$stream"; return 1; }
  sha256_stdin < "$stream/hash.fifo" > "$stream/hash" &
  offgo_hash_pid=$!
  # A tar that stops early (a corrupted stream, a full disk) must not cut the upload: the rest
  # is drained, the `.part` completes, and install's check says what was wrong.
  # The decoder's status as well as tar's: without pipefail, a decoder that stops early could
  # leave a short tree behind a tar that found nothing wrong.
  # tar stops at the archive's end blocks: the rest is drained on its side too, so the decoder
  # never dies of SIGPIPE over a good tarball.
  { { gunzip_stdin 2>/dev/null; echo $? > "$stream/gz.rc"; } |
      { tar -xf - -C "$stream/tree" --no-same-owner 2>/dev/null; echo $? > "$stream/tar.rc"; cat > /dev/null; }
    cat > /dev/null; } < "$stream/tar.fifo" &
  offgo_tar_pid=$!
  tee "$part" "$stream/hash.fifo" > "$stream/tar.fifo"
  offgo_tee=$?
  wait "$offgo_hash_pid"
  offgo_hash=$?
  wait "$offgo_tar_pid"
  offgo_sum=
  [ "$offgo_tee" = 0 ] && [ "$offgo_hash" = 0 ] && [ "$(cat "$stream/tar.rc" 2>/dev/null)" = 0 ] &&
    [ "$(cat "$stream/gz.rc" 2>/dev/null)" = 0 ] &&
    read -r offgo_sum _ < "$stream/hash"
  rm -f "$stream/hash.fifo" "$stream/tar.fifo" "$stream/hash" "$stream/tar.rc" "$stream/gz.rc"
  if [ -n "$offgo_sum" ]; then
    printf '%s\n' "$offgo_sum" > "$stream/sha256.offgo-new" &&
      mv -f "$stream/sha256.offgo-new" "$stream/sha256" && kv unpacked 1
  fi
  [ "$offgo_tee" = 0 ] || return 2
}

if [ "$file" = sums ]; then
  cat > "$sums" || { kv why "cannot write $sums (is the disk full?)"; exit 1; }
elif [ "$append" = 1 ]; then
  # A resumed upload: what an earlier stream unpacked is not the whole tarball.
  [ "$file" = go-tarball ] && rm -rf "$stream"
  cat >> "$part" && mv -f "$part" "$tarball" || { kv why "cannot write $tarball (is the disk full?)"; exit 1; }
else
  offgo_r=1
  if [ "$file" = go-tarball ]; then
    receive_unpacking
    offgo_r=$?
  fi
  case $offgo_r in
    0) mv -f "$part" "$tarball" ;;
    1) cat > "$part" && mv -f "$part" "$tarball" ;;
    *) false ;;
  esac || { kv why "cannot write $tarball (is the disk full?)"; exit 1; }
fi
kv received 1
