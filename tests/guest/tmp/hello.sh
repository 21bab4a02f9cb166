echo hello from guest; uname -a; lspci -nn; ls /sys/bus/cxl/devices; cxl list -M -D 2>&1 | head -30; cat /proc/cmdline
