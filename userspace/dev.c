// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - open /dev/tvmm, or explain in one paragraph why not.
 *
 * Concept: a type-2 VMM reaches the hardware through its host OS; here the
 * only door is the misc device tvmm.ko creates. Most first-time failures
 * are not bugs but a missing piece (no VT-x, module not loaded, not root),
 * so each gets its own message, its own exit status and the command that
 * fixes it.
 * Context: userspace. TVMM_DEVICE and TVMM_CPUINFO override the two paths
 * (the host tests use them; see tvmm.1, ENVIRONMENT).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

const char *dev_path(void)
{
	const char *path = getenv("TVMM_DEVICE");

	return path && *path ? path : TVMM_DEVICE_PATH;
}

static const char *cpuinfo_path(void)
{
	const char *path = getenv("TVMM_CPUINFO");

	return path && *path ? path : "/proc/cpuinfo";
}

/*
 * Does /proc/cpuinfo list the "vmx" flag? 1 yes, 0 no, -1 unknown. Linux
 * hides the flag when firmware disabled VMX, which is fine: tvmm cannot
 * use it then either.
 */
static int cpuinfo_has_vmx(void)
{
	char line[4096];
	int found = 0, saw_flags = 0;
	FILE *f = fopen(cpuinfo_path(), "r");

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char *tok, *save;

		if (strncmp(line, "flags", 5))
			continue;
		saw_flags = 1;
		for (tok = strtok_r(strchr(line, ':') ? strchr(line, ':') + 1 : line,
				    " \t\n", &save);
		     tok; tok = strtok_r(NULL, " \t\n", &save))
			if (!strcmp(tok, "vmx"))
				found = 1;
	}
	fclose(f);
	if (found)
		return 1;
	return saw_flags ? 0 : -1;
}

/* The device node is absent (or has no driver behind it). */
static int dev_missing(void)
{
	switch (cpuinfo_has_vmx()) {
	case 0:
		print_error("%s does not exist, and this machine has no VT-x (no \"vmx\" flag in %s): tvmm cannot run here. Use the lab VM, which emulates a VT-x CPU: on the host run `make labvm-shell` for a shell, or `make demo` for a guided tour.",
			dev_path(), cpuinfo_path());
		return TVMM_EXIT_NO_VTX;
	case 1:
		print_error("%s does not exist: the tvmm module is not loaded. In the lab VM load it with `insmod tvmm.ko` (as root), then retry; `dmesg | tail` says why if loading fails.",
			dev_path());
		return TVMM_EXIT_NO_MODULE;
	default:
		print_error("%s does not exist: the tvmm module is not loaded. In the lab VM load it with `insmod tvmm.ko`; on a machine without VT-x use `make labvm-shell` or `make demo` on the host.",
			dev_path());
		return TVMM_EXIT_NO_MODULE;
	}
}

/**
 * dev_error() - explain errno @err from @what on /dev/tvmm.
 * Return: the exit status for it.
 */
int dev_error(const char *what, int err)
{
	switch (err) {
	case ENOENT:
	case ENXIO:
		return dev_missing();
	case EACCES:
	case EPERM:
		print_error("%s: %s: permission denied. /dev/tvmm is root only, because a VM runs code in VMX non-root mode on this CPU; run as root (in the lab VM you are root).",
			dev_path(), what);
		return TVMM_EXIT_PERM;
	case ENODEV:
		print_error("%s: %s: no usable VT-x (%s). tvmm is loaded but cannot use VMX on this CPU: the firmware may have disabled it, or VMXON failed; `dmesg | grep tvmm` says which.",
			dev_path(), what, strerror(err));
		return TVMM_EXIT_DEVICE;
	case EBUSY:
		print_error("%s: %s: busy (%s). Another hypervisor may hold VMX (KVM: `rmmod kvm_intel`), or tvmm is still setting up; `dmesg | grep tvmm` says which.",
			dev_path(), what, strerror(err));
		return TVMM_EXIT_DEVICE;
	default:
		print_error("%s: %s failed: %s.", dev_path(), what, strerror(err));
		return TVMM_EXIT_FAILURE;
	}
}

/**
 * dev_open() - open the device and check that it speaks our ABI.
 * Return: 0 with *@fd set, or an exit status after printing why.
 */
int dev_open(int *fd)
{
	int version;

	*fd = open(dev_path(), O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return dev_error("open", errno);

	version = ioctl(*fd, TVMM_GET_API_VERSION);
	if (version < 0) {
		int err = errno;

		close(*fd);
		if (err == ENOTTY) {
			print_error("%s does not answer TVMM_GET_API_VERSION: it is not a tvmm device (is TVMM_DEVICE pointing elsewhere?).",
				dev_path());
			return TVMM_EXIT_API;
		}
		return dev_error("TVMM_GET_API_VERSION", err);
	}
	if (version != TVMM_API_VERSION) {
		close(*fd);
		print_error("API version mismatch: the loaded tvmm.ko speaks version %d, this tool version %d. Rebuild both from the same tree (make module userspace) and reload the module.",
			version, TVMM_API_VERSION);
		return TVMM_EXIT_API;
	}
	return TVMM_EXIT_OK;
}
