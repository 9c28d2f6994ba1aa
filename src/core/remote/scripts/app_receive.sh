# An app upload through the helper: the rest of stdin is the file. The signed file list and the
# manifest go to apps incoming/; the tarball streams into its `.part` (appended to when an
# interrupted upload resumes) and takes its name once complete. app-install checks all three.
umask 022
app_paths
mkdir -p "$app_incoming" || { kv why "cannot create $app_incoming"; exit 1; }
case $file in
  sums) cat > "$app_sums" || { kv why "cannot write $app_sums (is the disk full?)"; exit 1; } ;;
  manifest) cat > "$app_manifest" || { kv why "cannot write $app_manifest (is the disk full?)"; exit 1; } ;;
  *)
    if [ "$append" = 1 ]; then
      cat >> "$app_part" && mv -f "$app_part" "$app_tarball" || { kv why "cannot write $app_tarball (is the disk full?)"; exit 1; }
    else
      cat > "$app_part" && mv -f "$app_part" "$app_tarball" || { kv why "cannot write $app_tarball (is the disk full?)"; exit 1; }
    fi ;;
esac
kv received 1
