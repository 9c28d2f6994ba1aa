# Appends one line to the host's audit log, chained to the line before it. The jump host sends
# the line without its final `"prev":"…"}`; the hash of the host's last line is only known here.
# A retry (`retry=1`: the first try's link dropped, perhaps after it wrote) does not write the
# entry twice when the log already ends with it. A first try always writes: two operations can
# make the same entry in the same second (the timestamp has whole seconds), and the second one
# must not be taken for the first.
umask 022
mkdir -p "$(dirname "$audit_log")" || { kv why "cannot create $(dirname "$audit_log")"; exit 1; }
last=$(tail -n 1 "$audit_log" 2>/dev/null)
if [ "$retry" = 1 ]; then
  case "$last" in
    "$record_head\"prev\":\""*) kv line "$last"; kv already 1; exit 0 ;;
  esac
fi
if [ -n "$last" ]; then
  prev=$(printf '%s' "$last" | sha256sum | cut -d ' ' -f 1)
else
  prev=0000000000000000000000000000000000000000000000000000000000000000
fi
line=$(printf '%s"prev":"%s"}' "$record_head" "$prev")
printf '%s\n' "$line" >> "$audit_log" || { kv why "cannot append to $audit_log"; exit 1; }
kv line "$line"
