/* QMP lines as bytes: what each is, and a query-cpus-fast answer checked
 * entry by entry. No socket here, so the fuzzer reaches all of it. */
#include "agent/agent.h"

#include <jansson.h>
#include <stdint.h>

enum vt_qmp_msg vt_qmp_message(const char *line, size_t len)
{
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	enum vt_qmp_msg m = VT_QMP_BAD;
	if (json_is_object(j)) {
		if (json_is_object(json_object_get(j, "QMP")))
			m = VT_QMP_GREETING;
		else if (json_is_string(json_object_get(j, "event")))
			m = VT_QMP_EVENT;
		else if (json_object_get(j, "return"))
			m = VT_QMP_RETURN;
		else if (json_object_get(j, "error"))
			m = VT_QMP_ERROR;
	}
	json_decref(j);
	return m;
}

/* One entry's (cpu-index, thread-id), checked; 0 when it counts. */
static int entry(json_t *e, uint32_t nvcpu, int (*is_thread)(void *, int64_t), void *ctx, const int32_t *tids,
		 uint32_t *idx, int32_t *tid)
{
	json_t *ci = json_object_get(e, "cpu-index"), *ti = json_object_get(e, "thread-id");
	if (!json_is_integer(ci) || !json_is_integer(ti))
		return -1;
	json_int_t i = json_integer_value(ci), t = json_integer_value(ti);
	if (i < 0 || (uint64_t)i >= nvcpu || tids[i] >= 0 || t <= 0 || t > INT32_MAX || !is_thread(ctx, t))
		return -1;
	*idx = (uint32_t)i;
	*tid = (int32_t)t;
	return 0;
}

int vt_qmp_parse_cpus(const char *line, size_t len, uint32_t nvcpu, int (*is_thread)(void *ctx, int64_t tid),
		      void *ctx, int32_t *tids, uint32_t *refused)
{
	*refused = 0;
	if (nvcpu > VT_AGENT_MAX_VCPUS)
		nvcpu = VT_AGENT_MAX_VCPUS;
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *ret = json_object_get(j, "return");
	if (!json_is_array(ret)) {
		json_decref(j);
		return -1;
	}
	uint32_t top = 0;
	size_t n = json_array_size(ret);
	for (size_t k = 0; k < n; k++) {
		uint32_t idx;
		int32_t tid;
		if (entry(json_array_get(ret, k), nvcpu, is_thread, ctx, tids, &idx, &tid) < 0) {
			*refused += *refused < UINT32_MAX;
			continue;
		}
		tids[idx] = tid;
		top = idx + 1 > top ? idx + 1 : top;
	}
	json_decref(j);
	return (int)top;
}
