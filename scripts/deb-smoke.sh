#!/usr/bin/env bash
# Installs the .deb on a fresh Debian 12 booted with systemd (debootstrap + systemd-nspawn),
# then: systemctl start (Type=notify, DynamicUser), /metrics and /healthz, reload, stop,
# apt-get purge. Needs root, debootstrap and systemd-container; reaches Debian's mirror.
#   scripts/deb-smoke.sh build/release/feedwatch_*.deb
set -euo pipefail
deb=$(realpath "$1")
dir=${SMOKE_DIR:-/tmp/feedwatch-deb-smoke}
root=$dir/root
command -v debootstrap >/dev/null && command -v systemd-nspawn >/dev/null ||
    apt-get install -y -qq debootstrap systemd-container >/dev/null
if [ ! -x "$root/lib/systemd/systemd" ]; then
    rm -rf "$root" && mkdir -p "$dir"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl,ca-certificates bookworm "$root" \
        http://deb.debian.org/debian > "$dir/debootstrap.log"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/root/feedwatch.deb"
cat > "$root/root/smoke.sh" <<'SMOKE'
#!/bin/sh
exec > /root/smoke.log 2>&1
ok() { echo "PASS $1"; }
bad() { echo "FAIL $1"; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /root/feedwatch.deb >/dev/null && ok install || bad install
systemctl start feedwatchd && ok start || bad start
sleep 3
[ "$(systemctl show feedwatchd -p SubState --value)" = running ] && ok running || bad running
curl -fsS 127.0.0.1:9464/metrics | grep -q '^feedwatch_build_info' && ok metrics || bad metrics
[ "$(curl -s -o /dev/null -w '%{http_code}' 127.0.0.1:9464/healthz)" = 200 ] && ok healthz || bad healthz
systemctl reload feedwatchd && ok reload || bad reload
systemctl stop feedwatchd && [ "$(systemctl show feedwatchd -p Result --value)" = success ] && ok stop || bad stop
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq feedwatch >/dev/null && ok purge || bad purge
[ ! -e /etc/feedwatch ] && [ ! -e /var/lib/private/feedwatch ] && [ ! -e /usr/sbin/feedwatchd ] && ok clean || bad clean
journalctl -u feedwatchd --no-pager | tail -8
SMOKE
chmod +x "$root/root/smoke.sh"
cat > "$root/etc/systemd/system/smoke.service" <<'UNIT'
[Unit]
After=multi-user.target
[Service]
Type=oneshot
TimeoutStartSec=300
ExecStart=/root/smoke.sh
ExecStartPost=/bin/systemctl poweroff
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/smoke.service "$root/etc/systemd/system/multi-user.target.wants/smoke.service"
rm -f "$root/root/smoke.log"
timeout 300 systemd-nspawn -q -D "$root" -b --register=no --keep-unit > "$dir/boot.log" 2>&1 || true
cat "$root/root/smoke.log"
! grep -q '^FAIL' "$root/root/smoke.log" && grep -q '^PASS clean' "$root/root/smoke.log"
