/* The TSC method: when host and guest trace with TSC clocks, the guest's TSC
 * is the host's through the per-vCPU offset (and scaling) KVM applies, which
 * the agent reads from debugfs: guest_tsc = host_tsc * ratio / 2^frac + offset. */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "vmtrace/sync.h"

int vt_clock_is_tsc(const struct vt_clock_info *c)
{
	if (!c->name)
		return 0;
	for (const char *p = c->name; *p; p++)
		if (tolower((unsigned char)p[0]) == 't' && tolower((unsigned char)p[1]) == 's' &&
		    tolower((unsigned char)p[2]) == 'c')
			return 1;
	return 0;
}

static long double offset_ns(const struct vt_clock_info *c)
{
	return (long double)c->offset_s * 1e9L + (long double)c->offset_cycles * 1e9L / (long double)c->freq;
}

int vt_tsc_transform(const struct vt_clock_info *guest, const struct vt_clock_info *host, int64_t tsc_offset,
		     uint64_t ratio, uint32_t frac_bits, struct vt_transform *out)
{
	if (!guest->freq || !host->freq || frac_bits > 63)
		return -1;
	long double r = ratio ? (long double)ratio / (long double)(1ULL << frac_bits) : 1.0L;
	if (r <= 0)
		return -1;
	/* t_g = g0 + c_g·1e9/f_g, t_h = h0 + c_h·1e9/f_h, c_g = c_h·r + offset:
	 * t_h = h0 + (t_g - g0)·f_g/(r·f_h) - offset·1e9/(r·f_h). */
	long double g0 = offset_ns(guest), h0 = offset_ns(host);
	out->slope = (double)((long double)guest->freq / (r * (long double)host->freq));
	out->x0 = (int64_t)llroundl(g0);
	out->y0 = (int64_t)llroundl(h0 - (long double)tsc_offset * 1e9L / (r * (long double)host->freq) +
				    (long double)out->slope * (g0 - (long double)out->x0));
	return 0;
}
