/* qsort that accepts an empty (NULL) array: C's qsort may not be given NULL
 * even with no element, and UBSan says so. */
#ifndef VT_COMMON_SORT_H
#define VT_COMMON_SORT_H

#include <stdlib.h>

static inline void vt_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (base && n > 1)
		qsort(base, n, size, cmp);
}

#endif
