// SPDX-License-Identifier: GPL-2.0
/*
 * memcheck: write or verify a seeded pattern through a shared mapping of a
 * file such as /dev/daxX.Y or a VFIO region.
 *
 *   memcheck write  FILE SIZE [SEED] [OFFSET]
 *   memcheck verify FILE SIZE [SEED] [OFFSET]
 *
 * Every 8-byte word holds a function of the seed and its own offset, so data
 * that comes back at another address, or as zeros, does not verify.
 * Exit status: 0 when the pattern verifies (or was written), 1 on mismatch,
 * 2 on a usage or mapping error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t word(uint64_t seed, uint64_t off)
{
	uint64_t x = seed ^ (off * 0x9e3779b97f4a7c15ull);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	return x ? x : 1;
}

int main(int argc, char **argv)
{
	uint64_t size, seed = 1, off = 0, i, bad = 0, first = ~0ull;
	volatile uint64_t *p;
	int wr, fd;

	if (argc < 4 || (strcmp(argv[1], "write") && strcmp(argv[1], "verify"))) {
		fprintf(stderr, "usage: memcheck write|verify FILE SIZE [SEED] [OFFSET]\n");
		return 2;
	}
	wr = !strcmp(argv[1], "write");
	size = strtoull(argv[3], NULL, 0);
	if (argc > 4)
		seed = strtoull(argv[4], NULL, 0);
	if (argc > 5)
		off = strtoull(argv[5], NULL, 0);
	fd = open(argv[2], O_RDWR | O_SYNC);
	if (fd < 0) {
		fprintf(stderr, "memcheck: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (p == MAP_FAILED) {
		fprintf(stderr, "memcheck: mmap %s size 0x%llx offset 0x%llx: %s\n", argv[2],
			(unsigned long long)size, (unsigned long long)off, strerror(errno));
		return 2;
	}
	for (i = 0; i < size / 8; i++) {
		uint64_t want = word(seed, off + i * 8);

		if (wr) {
			p[i] = want;
		} else if (p[i] != want) {
			if (!bad++)
				first = i * 8;
		}
	}
	if (wr) {
		msync((void *)p, size, MS_SYNC);
		printf("memcheck: wrote 0x%llx bytes, seed %llu\n",
		       (unsigned long long)size, (unsigned long long)seed);
		return 0;
	}
	if (bad) {
		printf("memcheck: %llu of %llu words differ, first at 0x%llx (read 0x%llx, want 0x%llx)\n",
		       (unsigned long long)bad, (unsigned long long)(size / 8),
		       (unsigned long long)first, (unsigned long long)p[first / 8],
		       (unsigned long long)word(seed, off + first));
		return 1;
	}
	printf("memcheck: 0x%llx bytes verify, seed %llu\n",
	       (unsigned long long)size, (unsigned long long)seed);
	return 0;
}
