/* An archive's entry names, made relative and checked before anything is
 * created: the archive is a guest's, its names are chosen to escape. */
#include "record/untar.h"

#include <string.h>

/* Appends one component to out (n bytes so far); why set when refused. */
static int add_component(const char *c, size_t clen, char *out, size_t size, size_t *n, const char **why)
{
	if (clen == 2 && c[0] == '.' && c[1] == '.')
		return *why = "a '..' component", -1;
	if (clen > 255)
		return *why = "a name component longer than 255 bytes", -1;
	for (size_t i = 0; i < clen; i++)
		if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
			return *why = "a control character in its name", -1;
	if (*n + (*n ? 1 : 0) + clen + 1 > size)
		return *why = "a name too long", -1;
	if (*n)
		out[(*n)++] = '/';
	memcpy(out + *n, c, clen);
	*n += clen;
	out[*n] = '\0';
	return 0;
}

int vt_untar_clean_name(const char *raw, size_t len, size_t max_name, unsigned max_depth, char *out, size_t size,
			const char **why)
{
	size_t n = 0;
	unsigned depth = 0;
	out[0] = '\0';
	if (memchr(raw, '\0', len))
		len = strlen(raw);
	if (len == 0)
		return *why = "an empty name", -1;
	if (raw[0] == '/')
		return *why = "an absolute name", -1;
	for (size_t i = 0; i < len;) {
		const char *slash = memchr(raw + i, '/', len - i);
		size_t clen = slash ? (size_t)(slash - (raw + i)) : len - i;
		int skip = clen == 0 || (clen == 1 && raw[i] == '.');
		if (!skip && (add_component(raw + i, clen, out, size, &n, why) < 0))
			return -1;
		if (!skip && ++depth > max_depth)
			return *why = "a name deeper than the limit", -1;
		i += clen + 1;
	}
	if (n > max_name)
		return *why = "a name longer than the limit", -1;
	return 0;
}
