/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The guest's clock for the handover benchmark (bench/handover.sh,
 * bench/handover-arm64.sh and bench/handover-riscv64.sh), static so that it
 * runs in both initramfs images. The clock is the TSC on x86_64, the virtual
 * counter CNTVCT_EL0 on arm64 (built with aarch64-linux-gnu-gcc -static) and
 * the time CSR (rdtime) on riscv64 (riscv64-linux-gnu-gcc -static), CNTVCT
 * through CP15 on 32-bit ARM (arm-linux-gnueabihf-gcc -static), and on
 * MIPS (mips64el-linux-gnuabi64-gcc -static) loongson3-virt's goldfish RTC
 * read through /dev/mem, nanoseconds of QEMU's virtual clock under
 * `-rtc clock=vm` (CP0 Count is 32 bits and wraps every 10.7 s), and on
 * ppc64el (powerpc64le-linux-gnu-gcc -static) the timebase, on s390x
 * (s390x-linux-gnu-gcc -static) the TOD clock; "TSC" below means any of
 * them.
 *
 *   tsc CMD ARGS...   read the TSC, print "BENCH-TSC-EXEC <ticks>", exec CMD
 *                     (stage 1: `tsc kexec -e`, so the reading is the last
 *                     thing before kexec -e starts)
 *   /init             stage 2: read the TSC first of all, then mount /dev and
 *                     /proc, print "BENCH-TSC-INIT <ticks>" (arm64, arm: also
 *                     "BENCH-CNTFRQ <Hz>", the counter's frequency;
 *                     riscv64: "BENCH-TIMEBASE <Hz>", the time CSR's, from
 *                     the device tree), the
 *                     kernel's own timing lines from /dev/kmsg and the
 *                     command line, and power off
 *
 * Under qemu -icount shift=0 the TSC counts guest instructions (1 ns each; on
 * arm64 the counter ticks at 62.5 MHz, once every 16 instructions; on
 * riscv64 virt the time CSR at 10 MHz, once every 100), so two runs print
 * nearly the same numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <termios.h>

#if defined(__aarch64__)
/* The virtual counter: the isb keeps the read from being done early. */
static inline uint64_t rdtsc(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

static inline uint64_t cntfrq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}
#elif defined(__arm__)
/* 32-bit ARM: the virtual counter through CP15 (CNTVCT; Linux lets user mode read it). */
static inline uint64_t rdtsc(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrrc p15, 1, %Q0, %R0, c14" : "=r"(v) : : "memory");
	return v;
}

static inline uint64_t cntfrq(void)
{
	uint32_t v;

	__asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(v));
	return v;
}
#elif defined(__riscv) && __riscv_xlen == 64
/* The time CSR (Linux lets user mode read it: scounteren.TM). */
static inline uint64_t rdtsc(void)
{
	uint64_t v;

	__asm__ volatile("rdtime %0" : "=r"(v) : : "memory");
	return v;
}

/* /cpus/timebase-frequency: one big-endian cell (or two); sysfs is mounted here. */
static uint64_t timebase(void)
{
	unsigned char b[8];
	uint64_t v = 0;
	int fd;
	ssize_t n;

	mkdir("/sys", 0755);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	fd = open("/sys/firmware/devicetree/base/cpus/timebase-frequency", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, b, sizeof(b));

	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; i < n; i++)
		v = v << 8 | b[i];
	return n == 4 || n == 8 ? v : 0;
}
#elif defined(__mips__)
/*
 * loongson3-virt's goldfish RTC at 0x10081000 (QEMU's memory map; Debian's
 * loongson-3 kernel has no driver for it, so nothing else touches it):
 * TIME_LOW at +0 then TIME_HIGH at +4, which the read of TIME_LOW latched.
 * Mapped once, uncached (O_SYNC); 0 when /dev/mem cannot be mapped (the
 * caller treats 0 as no reading).
 */
#define GOLDFISH_RTC 0x10081000
static inline uint64_t rdtsc(void)
{
	static volatile uint32_t *rtc;
	uint32_t lo, hi;

	if (!rtc) {
		/* The page holding it: Debian's loongson-3 kernel has 16 KiB pages. */
		long pg = sysconf(_SC_PAGESIZE);
		off_t base = GOLDFISH_RTC & ~(off_t)(pg - 1);
		int fd = open("/dev/mem", O_RDONLY | O_SYNC);
		void *p = fd < 0 ? MAP_FAILED : mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, base);

		if (fd >= 0)
			close(fd);
		if (p == MAP_FAILED)
			return 0;
		rtc = (volatile uint32_t *)((char *)p + (GOLDFISH_RTC - base));
	}
	lo = rtc[0];
	hi = rtc[1];
	return (uint64_t)hi << 32 | lo;
}
#elif defined(__powerpc64__)
/* The timebase (user mode reads it): 512 MHz on pseries, of QEMU's virtual clock. */
static inline uint64_t rdtsc(void)
{
	uint64_t v;

	__asm__ volatile("isync\n\tmfspr %0, 268" : "=r"(v) : : "memory");
	return v;
}
#elif defined(__s390x__)
/* The TOD clock (bit 51 is a microsecond: 4096 units a µs), of QEMU's virtual clock under TCG. */
static inline uint64_t rdtsc(void)
{
	uint64_t v;

	__asm__ volatile("stckf %0" : "=Q"(v) : : "cc", "memory");
	return v;
}
#elif defined(__x86_64__) || defined(__i386__)
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
#else
#error "tsc.c: no clock for this architecture"
#endif

/* The kernel log lines whose timestamps (µs since sched_clock started) we want. */
static void kmsg_report(void)
{
	static const char *const keys[] = { "Run /init", "tsc: Detected", "tsc: Refined",
					    "arch_timer: cp15 timer", "riscv-timer:", "clocksource: riscv_clocksource",
					    "random: crng init", "Linux version",
					    "Kernel command line" };
	char buf[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0) {
		printf("BENCH-KMSG-ERROR %s\n", strerror(errno));
		return;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		char *msg, *ts;

		if (n < 0 && errno == EPIPE)
			continue; /* overwritten records: skip ahead */
		if (n <= 0)
			break;
		buf[n] = 0;
		/* "prio,seq,usec,flags;message\n" */
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		*msg++ = 0;
		msg[strcspn(msg, "\n")] = 0;
		ts = strchr(buf, ',');
		ts = ts ? strchr(ts + 1, ',') : NULL;
		if (!ts)
			continue;
		ts++;
		ts[strcspn(ts, ",")] = 0;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(msg, keys[i], strlen(keys[i]))) {
				printf("BENCH-KMSG %s %s\n", ts, msg);
				break;
			}
	}
	close(fd);
}

/*
 * s390x: the host counts the guest's instructions at each marker instead
 * (bench/vclock.py, over QMP), as the TOD clock does not run on across the
 * reset the old kernel asks for. Wait until the console has taken the line
 * (the SCLP tty holds a partial buffer for up to 0.1 s), then sleep: the
 * guest is idle, and its count still, while the host asks.
 */
static void host_mark(void)
{
#if defined(__s390x__)
	fflush(stdout);
	tcdrain(1);
	sleep(1);
#endif
}

static __attribute__((noreturn)) void stage2_init(uint64_t t)
{
	char line[4096];
	FILE *f;
	int fd;

	mkdir("/dev", 0755);
	mkdir("/proc", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("\nBENCH-TSC-INIT %llu\n", (unsigned long long)t);
	host_mark();
#if defined(__aarch64__) || defined(__arm__)
	printf("BENCH-CNTFRQ %llu\n", (unsigned long long)cntfrq());
#elif defined(__riscv)
	printf("BENCH-TIMEBASE %llu\n", (unsigned long long)timebase());
#endif
	kmsg_report();
	f = fopen("/proc/cmdline", "r");
	if (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		printf("STAGE2-CMDLINE: %s\n", line);
	}
	if (f)
		fclose(f);
	printf("STAGE2-DONE\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	uint64_t t = rdtsc();

	if (getpid() == 1)
		stage2_init(t);
	if (argc < 2) {
		printf("BENCH-TSC %llu\n", (unsigned long long)t);
		return 0;
	}
	printf("BENCH-TSC-EXEC %llu\n", (unsigned long long)t);
	fflush(stdout);
	host_mark();
	execvp(argv[1], argv + 1);
	fprintf(stderr, "tsc: cannot run %s: %s\n", argv[1], strerror(errno));
	return 127;
}
