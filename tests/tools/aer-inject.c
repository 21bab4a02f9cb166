// SPDX-License-Identifier: GPL-2.0
/*
 * aer-inject BDF UNCOR [COR]: have the kernel's AER error injector
 * (CONFIG_PCIEAER_INJECT, /dev/aer_inject) report an error from the PCI
 * function BDF (domain:bus:dev.fn), as if the device had signalled it:
 * UNCOR and COR are the bits of the Uncorrectable and Correctable Error
 * Status registers. Whether the error is fatal follows the device's
 * Uncorrectable Error Severity register.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The layout drivers/pci/pcie/aer_inject.c reads */
struct aer_error_inj {
	uint8_t bus;
	uint8_t dev;
	uint8_t fn;
	uint32_t uncor_status;
	uint32_t cor_status;
	uint32_t header_log[4];
	uint32_t domain;
};

int main(int argc, char **argv)
{
	struct aer_error_inj e = { 0 };
	unsigned int dom, bus, dev, fn;
	int fd;

	if (argc < 3 || sscanf(argv[1], "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4) {
		fprintf(stderr, "usage: %s DOMAIN:BUS:DEV.FN UNCOR [COR]\n", argv[0]);
		return 2;
	}
	e.domain = dom;
	e.bus = bus;
	e.dev = dev;
	e.fn = fn;
	e.uncor_status = strtoul(argv[2], NULL, 0);
	if (argc > 3)
		e.cor_status = strtoul(argv[3], NULL, 0);

	fd = open("/dev/aer_inject", O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "/dev/aer_inject: %s\n", strerror(errno));
		return 1;
	}
	if (write(fd, &e, sizeof(e)) != sizeof(e)) {
		fprintf(stderr, "injecting into %s: %s\n", argv[1], strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
