# Guest side of the rig's self-test (tests/suites/rig.sh): misbehave as asked.
case ${1:-} in
splat) echo "WARNING: CPU: 0 PID: 1 at rig self-test: an injected warning" > /dev/kmsg ;;
hang) sleep 600 ;;
fail) exit 3 ;;
esac
