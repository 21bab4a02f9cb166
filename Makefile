# The CXL/VFIO series and its harness.  `make help` lists the verbs.
#
#   make deps                install what the rest needs (Debian packages)
#   make tree                build/linux: base + the series, one commit a patch
#   make export              patches/ from build/linux
#   make status              do build/linux and patches/ agree?
#   make build               the rig kernel, test tools and vfio selftests
#   make demo                boot it on emulated CXL hardware and show it working
#   make check [SUITES=...]  every test (make list-suites names them)
#   make heavy               the opt-in long loops (check.sh heavy)
#   make measure             the measurements that are not tests

SHELL := /bin/bash
S := scripts
TOPO ?= single

.PHONY: help deps base tree export status build demo check heavy measure list-suites clean distclean

help:
	@sed -n '3,12s/^# \{0,1\}//p' Makefile

deps:
	@$(S)/deps.sh

base: deps
	@$(S)/base.sh >/dev/null

tree: base
	@$(S)/tree.sh

export:
	@$(S)/export.sh

status:
	@$(S)/status.sh

build: deps
	@[ -d build/linux/.git ] || $(S)/tree.sh
	@$(S)/build.sh
	@$(S)/build-tools.sh build/linux build/obj build/tools

demo: build
	@$(S)/qemu-boot.sh -t $(TOPO) -T $${BOOT_TIMEOUT:-600} -o build/results/demo tests/guest/demo.sh

check: deps
	@$(S)/check.sh

heavy: deps
	@$(S)/check.sh heavy

measure: build
	@$(S)/measure.sh

list-suites:
	@$(S)/check.sh --list

clean:
	rm -rf build/obj build/check build/results build/tools

distclean:
	rm -rf build
