// SPDX-License-Identifier: GPL-2.0
/*
 * cxl-hdm: print the HDM decoder registers of a CXL device as the hardware
 * holds them, read through the component register block that the Register
 * Locator DVSEC points at (sysfs config and resourceN files).  The kernel's
 * sysfs decoder attributes show its cached view; this shows the device's.
 *
 *   cxl-hdm BDF          one line a decoder: idx base size skip ctrl committed,
 *                        then the CXL Device DVSEC's Control, Control2, Lock
 *                        and Range Base registers, and its Capability, on a
 *                        "dvsec" line
 *
 * Exit status: 0 on success, 1 when the registers cannot be reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCI_EXT_CAP_ID_DVSEC	0x23
#define CXL_VENDOR		0x1e98
#define CXL_DVSEC_DEVICE	0
#define CXL_DVSEC_REG_LOCATOR	8
#define CXL_REGLOC_COMPONENT	1
#define CXL_CM_OFFSET		0x1000
#define CXL_CM_CAP_HDM		5

static uint8_t cfg[4096];
static size_t cfg_len;

static uint32_t cfg32(unsigned int off)
{
	uint32_t v;

	memcpy(&v, cfg + off, 4);
	return v;
}

static int fail(const char *what)
{
	fprintf(stderr, "cxl-hdm: %s: %s\n", what, errno ? strerror(errno) : "not found");
	return 1;
}

int main(int argc, char **argv)
{
	unsigned int pos, bar = 0, found = 0, dvsec = 0, i, ndec;
	uint64_t off = 0;
	char path[256];
	volatile uint32_t *hdm;
	uint8_t *map;
	struct stat st;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: cxl-hdm BDF\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", argv[1]);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail(path);
	cfg_len = read(fd, cfg, sizeof(cfg));
	close(fd);
	if (cfg_len < 4096) {
		errno = EIO;
		return fail("extended config space");
	}

	/* Walk the extended capabilities for the CXL Device and Register Locator DVSECs. */
	for (pos = 0x100; pos && pos < 4096; pos = cfg32(pos) >> 20) {
		uint32_t hdr = cfg32(pos), h1, h2, len;

		if ((hdr & 0xffff) != PCI_EXT_CAP_ID_DVSEC)
			continue;
		h1 = cfg32(pos + 4);
		h2 = cfg32(pos + 8);
		if ((h1 & 0xffff) == CXL_VENDOR && (h2 & 0xffff) == CXL_DVSEC_DEVICE)
			dvsec = pos;
		if (found || (h1 & 0xffff) != CXL_VENDOR || (h2 & 0xffff) != CXL_DVSEC_REG_LOCATOR)
			continue;
		len = h1 >> 20;
		for (i = 0xc; i + 8 <= len; i += 8) {
			uint32_t lo = cfg32(pos + i), hi = cfg32(pos + i + 4);

			if (((lo >> 8) & 0xff) != CXL_REGLOC_COMPONENT)
				continue;
			bar = lo & 0x7;
			off = ((uint64_t)hi << 32) | (lo & 0xffff0000);
			found = 1;
			break;
		}
	}
	errno = 0;
	if (!found)
		return fail("component registers in the Register Locator DVSEC");

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%u", argv[1], bar);
	fd = open(path, O_RDONLY | O_SYNC);
	if (fd < 0 || fstat(fd, &st))
		return fail(path);
	map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return fail("mmap of the component register BAR");

	/* CXL.cache/mem capability array: find the HDM decoder capability. */
	{
		volatile uint32_t *cm = (volatile uint32_t *)(map + off + CXL_CM_OFFSET);
		uint32_t n = cm[0] >> 24, c;

		hdm = NULL;
		for (c = 1; c <= n; c++)
			if ((cm[c] & 0xffff) == CXL_CM_CAP_HDM)
				hdm = (volatile uint32_t *)(map + off + CXL_CM_OFFSET + (cm[c] >> 20));
	}
	errno = 0;
	if (!hdm)
		return fail("HDM decoder capability");

	ndec = hdm[0] & 0xf;
	ndec = ndec ? ndec * 2 : 1;
	printf("bar=%u offset=0x%llx decoders=%u global_ctrl=0x%x\n", bar,
	       (unsigned long long)off, ndec, hdm[1]);
	for (i = 0; i < ndec; i++) {
		volatile uint32_t *d = hdm + (0x10 + i * 0x20) / 4;
		uint64_t base = ((uint64_t)d[1] << 32) | d[0];
		uint64_t size = ((uint64_t)d[3] << 32) | d[2];
		uint64_t skip = ((uint64_t)d[6] << 32) | d[5];
		uint32_t ctrl = d[4];

		printf("decoder%u base=0x%llx size=0x%llx skip=0x%llx ctrl=0x%x committed=%u\n",
		       i, (unsigned long long)base, (unsigned long long)size,
		       (unsigned long long)skip, ctrl, (ctrl >> 10) & 1);
	}
	if (dvsec)
		printf("dvsec ctrl=0x%x ctrl2=0x%x lock=0x%x range0_base=0x%08x%08x range1_base=0x%08x%08x cap=0x%x\n",
		       cfg32(dvsec + 0xc) & 0xffff, cfg32(dvsec + 0x10) & 0xffff,
		       cfg32(dvsec + 0x14) & 0xffff, cfg32(dvsec + 0x20), cfg32(dvsec + 0x24),
		       cfg32(dvsec + 0x30), cfg32(dvsec + 0x34), cfg32(dvsec + 0x8) >> 16);
	munmap(map, st.st_size);
	close(fd);
	return 0;
}
