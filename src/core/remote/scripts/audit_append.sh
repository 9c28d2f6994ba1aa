# Appends one line to the host's audit log, chained to the line before it. The jump host sends
# the line without its final `"prev":"…"}`; the hash of the host's last line is only known here.
# Idempotent: when the log already ends with this entry (an earlier try was cut short after
# writing it), it is not written twice.
umask 022
mkdir -p "$(dirname "$audit_log")" || { kv why "cannot create $(dirname "$audit_log")"; exit 1; }
last=$(tail -n 1 "$audit_log" 2>/dev/null)
case "$last" in
  "$record_head\"prev\":\""*) kv line "$last"; kv already 1; exit 0 ;;
esac
if [ -n "$last" ]; then
  prev=$(printf '%s' "$last" | sha256sum | cut -d ' ' -f 1)
else
  prev=0000000000000000000000000000000000000000000000000000000000000000
fi
line=$(printf '%s"prev":"%s"}' "$record_head" "$prev")
printf '%s\n' "$line" >> "$audit_log" || { kv why "cannot append to $audit_log"; exit 1; }
kv line "$line"
