# An upload through the helper: the rest of stdin is the file. The signed file list goes to
# incoming/<version>.sha256sums; the tarball streams into its `.part` (appended to when an
# interrupted upload resumes) and takes its name once complete. install checks both.
umask 022
mkdir -p "$incoming" || { kv why "cannot create $incoming"; exit 1; }
if [ "$file" = sums ]; then
  cat > "$sums" || { kv why "cannot write $sums (is the disk full?)"; exit 1; }
elif [ "$append" = 1 ]; then
  cat >> "$part" && mv -f "$part" "$tarball" || { kv why "cannot write $tarball (is the disk full?)"; exit 1; }
else
  cat > "$part" && mv -f "$part" "$tarball" || { kv why "cannot write $tarball (is the disk full?)"; exit 1; }
fi
kv received 1
