# Guest side of a measurement, not a test: vfio_pci_device_init_perf_test
# on the igb NIC of topology vfio-cxl, five runs, the best and the mean
# "Avg init time" per IOMMU mode.  Boot it once with the rig kernel and once
# with a kernel built with CONFIG_VFIO_CXL_CORE=n to compare the two:
#   KERNEL=<bzImage> scripts/qemu-boot.sh -t vfio-cxl tests/guest/perf-nic.sh
. "$RIG/tests/guest/lib.sh"
V=$TOOLS/vfio
nic=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10c9 ] && nic=$(basename "$d")
done
[ -n "$nic" ] || { echo "no igb NIC: boot topology vfio-cxl"; exit 1; }
echo vfio-pci > "/sys/bus/pci/devices/$nic/driver_override"
echo "$nic" > /sys/bus/pci/drivers_probe
echo "vfio_pci_core parameters: $(ls /sys/module/vfio_pci_core/parameters/ | tr '\n' ' ')"
out=$(for i in 1 2 3 4 5; do env VFIO_SELFTESTS_BDF="$nic" "$V/vfio_pci_device_init_perf_test" 2>&1; done)
echo "runs passed: $(echo "$out" | grep -c '^ok')"
echo "$out" | awk '/RUN/ { split($3, a, "."); m = a[2] }
	/Avg init time/ { t = $NF; sub(/s$/, "", t); n[m]++; sum[m] += t; if (!(m in best) || t < best[m]) best[m] = t }
	END { for (m in best) printf "PERF %s best=%dus mean=%dus\n", m, best[m] * 1e6, sum[m] / n[m] * 1e6 }'
