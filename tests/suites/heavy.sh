#!/usr/bin/env bash
# Opt-in (check.sh heavy): the long loops.  The vfio-cxl guest suite with
# RESETS=1000 (vfio_cxl_test's reset loops: 1000 resets with another thread
# faulting the mapping in, and as many on the plain device for the ratio)
# instead of the default run's 100 (tests/guest/vfio-cxl/lib.sh), which checks the
# same things in fewer rounds.
. "$TOP/tests/suites/lib.sh"
RESULT_NAME=heavy-vfio-cxl BOOT_TIMEOUT=${BOOT_TIMEOUT:-2400} BOOT_APPEND="${BOOT_APPEND:-} RESETS=${HEAVY_RESETS:-1000}" \
	exec bash "$TOP/tests/suites/boot-topology.sh" vfio-cxl
