// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-info: open a PCI device bound to vfio-pci the way a VMM does (group,
 * container, IOMMU type 1 or no-IOMMU) and print what VFIO reports for it:
 * device flags, the info capability chain, regions and interrupts.
 *
 *   vfio-info BDF            print
 *   vfio-info BDF reset      print, then VFIO_DEVICE_RESET
 *   vfio-info BDF cxl-reset  print; write a pattern through an mmap of the
 *                            CXL memory region, VFIO_DEVICE_RESET, and
 *                            compare what the mapping reads afterwards
 *
 * Exit status: 0 on success, 1 when an ioctl fails (the errno is printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

static int fail(const char *what)
{
	fprintf(stderr, "vfio-info: %s: %s\n", what, strerror(errno));
	return 1;
}

static const char *region_name(unsigned int i)
{
	static const char * const names[] = {
		"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "CONFIG", "VGA",
	};

	return i < sizeof(names) / sizeof(names[0]) ? names[i] : "device-specific";
}

static void print_cxl_cap(const struct vfio_device_info_cap_cxl *c)
{
	printf("CXL: %s region, memory 0x%llx in region %u, %u HDM decoders%s%s\n",
	       c->flags & VFIO_CXL_FIRMWARE_REGION ? "firmware" : "provisioned",
	       (unsigned long long)c->mem_size, c->mem_region_index, c->hdm_count,
	       c->flags & VFIO_CXL_CACHE_CAPABLE ? ", cache capable" : "",
	       c->flags & VFIO_CXL_RESET_CAPABLE ? ", CXL Reset capable" : "");
	printf("CXL: component registers BAR%u+0x%llx size 0x%llx (emulated in region %u), HDM decoders at +0x%llx size 0x%llx, DVSEC at 0x%x\n",
	       c->comp_bar, (unsigned long long)c->comp_offset,
	       (unsigned long long)c->comp_size, c->comp_region_index,
	       (unsigned long long)c->hdm_offset, (unsigned long long)c->hdm_size,
	       c->dvsec_offset);
}

/* The type and subtype of a device-specific region, from its capabilities */
static void print_region_type(int dev, unsigned int i)
{
	struct vfio_region_info *r = calloc(1, 4096);
	unsigned int off;

	r->argsz = 4096;
	r->index = i;
	if (!ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, r) &&
	    r->flags & VFIO_REGION_INFO_FLAG_CAPS) {
		for (off = r->cap_offset; off && off + 8 <= 4096;) {
			struct vfio_info_cap_header *h = (void *)((char *)r + off);

			if (h->id == VFIO_REGION_INFO_CAP_TYPE) {
				struct vfio_region_info_cap_type *t = (void *)h;

				printf("  type 0x%x subtype %u\n", t->type, t->subtype);
			}
			off = h->next;
		}
	}
	free(r);
}

/*
 * Pattern in the CXL memory, the shell command @cmd if any (whether read()
 * of the memory works after it is printed), VFIO_DEVICE_RESET, pattern
 * still there?
 */
static int cxl_reset(int dev, const struct vfio_device_info_cap_cxl *c,
		     const char *cmd)
{
	struct vfio_region_info r = { .argsz = sizeof(r), .index = c->mem_region_index };
	size_t len = 1 << 20, i;
	unsigned int *m, bad = 0;

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r))
		return fail("VFIO_DEVICE_GET_REGION_INFO (CXL memory)");
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dev, r.offset);
	if (m == MAP_FAILED)
		return fail("mmap of the CXL memory");
	for (i = 0; i < len / 4; i++)
		m[i] = i * 2654435761u;
	printf("CXL: wrote a 1 MiB pattern through the mmap\n");
	fflush(stdout);
	if (cmd) {
		unsigned long long v;

		if (system(cmd))
			return fail(cmd);
		printf("%s: done\n", cmd);
		printf("CXL: read() of the memory then: %s\n",
		       pread(dev, &v, sizeof(v), r.offset) == sizeof(v) ?
		       "ok" : strerror(errno));
	}
	if (ioctl(dev, VFIO_DEVICE_RESET))
		return fail("VFIO_DEVICE_RESET");
	printf("VFIO_DEVICE_RESET: done\n");
	for (i = 0; i < len / 4; i++)
		bad += m[i] != (unsigned int)(i * 2654435761u);
	printf("CXL: afterwards the mapping reads %s\n",
	       bad ? "something else" : "the same pattern");
	munmap(m, len);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], link[PATH_MAX], *group;
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_device_info *info;
	int container, gfd, dev, noiommu;
	unsigned int i;
	ssize_t n;

	const struct vfio_device_info_cap_cxl *cxl = NULL;
	int rc = 0;

	if (argc < 2 || (argc == 3 && strcmp(argv[2], "reset") &&
			 strcmp(argv[2], "cxl-reset")) ||
	    (argc == 4 && strcmp(argv[2], "cxl-cmd")) || argc > 4) {
		fprintf(stderr, "usage: vfio-info BDF [reset|cxl-reset|cxl-cmd COMMAND]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", argv[1]);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return fail(path);
	link[n] = 0;
	group = basename(link);

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		return fail("/dev/vfio/vfio");
	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	noiommu = access(path, F_OK) != 0;
	if (noiommu)
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%s", group);
	gfd = open(path, O_RDWR);
	if (gfd < 0)
		return fail(path);
	if (ioctl(gfd, VFIO_GROUP_GET_STATUS, &gs) || !(gs.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = errno ? errno : EBUSY;
		return fail("group not viable");
	}
	if (ioctl(gfd, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU))
		return fail("VFIO_SET_IOMMU");
	dev = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
	if (dev < 0)
		return fail("VFIO_GROUP_GET_DEVICE_FD");

	info = calloc(1, 4096);
	info->argsz = 4096;
	if (ioctl(dev, VFIO_DEVICE_GET_INFO, info))
		return fail("VFIO_DEVICE_GET_INFO");
	printf("device %s group %s%s\n", argv[1], noiommu ? "noiommu-" : "", group);
	printf("flags 0x%x:%s%s%s%s\n", info->flags,
	       info->flags & VFIO_DEVICE_FLAGS_PCI ? " PCI" : "",
	       info->flags & VFIO_DEVICE_FLAGS_RESET ? " RESET" : "",
	       info->flags & VFIO_DEVICE_FLAGS_CAPS ? " CAPS" : "",
	       info->flags & VFIO_DEVICE_FLAGS_CXL ? " CXL" : "");
	if (info->flags & VFIO_DEVICE_FLAGS_CAPS && info->cap_offset) {
		struct vfio_info_cap_header *h;
		unsigned int off = info->cap_offset;

		while (off && off + sizeof(*h) <= info->argsz) {
			h = (void *)((char *)info + off);
			printf("info capability id %u version %u\n", h->id, h->version);
			if (h->id == VFIO_DEVICE_INFO_CAP_CXL) {
				cxl = (void *)h;
				print_cxl_cap(cxl);
			}
			off = h->next;
		}
	}
	printf("regions %u irqs %u\n", info->num_regions, info->num_irqs);
	for (i = 0; i < info->num_regions; i++) {
		struct vfio_region_info r = { .argsz = sizeof(r), .index = i };

		if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &r)) {
			/* vfio-pci answers EINVAL for the VGA region of a non-VGA device. */
			if (errno == EINVAL && i == VFIO_PCI_VGA_REGION_INDEX)
				continue;
			return fail("VFIO_DEVICE_GET_REGION_INFO");
		}
		if (!r.size)
			continue;
		printf("region %u %-8s size 0x%llx offset 0x%llx flags 0x%x%s%s%s%s\n", i,
		       region_name(i), (unsigned long long)r.size,
		       (unsigned long long)r.offset, r.flags,
		       r.flags & VFIO_REGION_INFO_FLAG_READ ? " read" : "",
		       r.flags & VFIO_REGION_INFO_FLAG_WRITE ? " write" : "",
		       r.flags & VFIO_REGION_INFO_FLAG_MMAP ? " mmap" : "",
		       r.flags & VFIO_REGION_INFO_FLAG_CAPS ? " caps" : "");
		if (i >= VFIO_PCI_NUM_REGIONS)
			print_region_type(dev, i);
	}
	for (i = 0; i < info->num_irqs; i++) {
		struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = i };

		if (ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq))
			return fail("VFIO_DEVICE_GET_IRQ_INFO");
		if (irq.count)
			printf("irq %u count %u flags 0x%x\n", i, irq.count, irq.flags);
	}
	if (argc >= 3 && strcmp(argv[2], "reset")) {
		if (!cxl) {
			fprintf(stderr, "vfio-info: not a CXL device\n");
			return 1;
		}
		rc = cxl_reset(dev, cxl, argc == 4 ? argv[3] : NULL);
	} else if (argc == 3) {
		if (ioctl(dev, VFIO_DEVICE_RESET))
			return fail("VFIO_DEVICE_RESET");
		printf("VFIO_DEVICE_RESET: done\n");
	}
	free(info);
	close(dev);
	close(gfd);
	close(container);
	return rc;
}
