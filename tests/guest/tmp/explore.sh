. "$RIG/tests/guest/lib.sh"
OUT=/dev/null
set -x
lspci -vvv -s 0d:00.0 | grep -A12 -i 'DVSEC\|Designated' | head -80
cat /sys/bus/pci/devices/0000:0d:00.0/reset_method
ls $CXLSYS
m=$(memdev_of 0000:0d:00.0); echo $m
endpoint_decoder $m
hdm 0000:0d:00.0
r=$(create_ram_region $((256<<20)) $m); echo region=$r
cxl list -R -D -M 2>&1 | head -60
hdm 0000:0d:00.0
d=$(dax_of $r); echo dax=$d; ls -l /dev/dax* 
$TOOLS/memcheck write /dev/$d $((64<<20)) 7
$TOOLS/memcheck verify /dev/$d $((64<<20)) 7
echo 1 > /sys/bus/pci/devices/0000:0d:00.0/reset
hdm 0000:0d:00.0
$TOOLS/memcheck verify /dev/$d $((64<<20)) 7
tainted
