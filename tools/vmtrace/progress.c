#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void vt_progress_start(struct vt_progress *p, const char *label)
{
	p->enabled = isatty(2);
	p->label = label;
	p->last_ms = now_ms();
}

void vt_progress_update(struct vt_progress *p, uint64_t done)
{
	/* Look at the clock only every 64k events. */
	if (!p->enabled || (done & 0xffff))
		return;
	uint64_t t = now_ms();
	if (t - p->last_ms < 100)
		return;
	p->last_ms = t;
	fprintf(stderr, "\r%s: %.1f M events", p->label, (double)done / 1e6);
}

void vt_progress_end(struct vt_progress *p)
{
	if (p->enabled)
		fprintf(stderr, "\r\033[K");
}
