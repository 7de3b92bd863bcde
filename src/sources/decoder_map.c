/* Event class → decoder, an open-addressing hash map on the class pointer. */
#include <stdint.h>
#include <stdlib.h>

#include "sources/ctf_source.h"

static size_t hash_ptr(const void *p, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

static int grow(struct vt_decoder_map *map)
{
	size_t cap = map->cap ? map->cap * 2 : 64;
	struct vt_decoder **slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < map->cap; i++) {
		struct vt_decoder *d = map->slots[i];
		if (!d)
			continue;
		size_t h = hash_ptr(d->event_class, cap);
		while (slots[h])
			h = (h + 1) & (cap - 1);
		slots[h] = d;
	}
	free(map->slots);
	map->slots = slots;
	map->cap = cap;
	return 0;
}

const struct vt_decoder *vt_decoder_map_get(struct vt_decoder_map *map, const bt_event_class *ec)
{
	if (map->cap) {
		for (size_t h = hash_ptr(ec, map->cap);; h = (h + 1) & (map->cap - 1)) {
			if (!map->slots[h])
				break;
			if (map->slots[h]->event_class == ec)
				return map->slots[h];
		}
	}
	/* Keep the load under one half so probes stay short. */
	if ((map->count + 1) * 2 > map->cap && grow(map))
		return NULL;
	struct vt_decoder *d = malloc(sizeof(*d));
	if (!d)
		return NULL;
	vt_decoder_init(d, ec);
	size_t h = hash_ptr(ec, map->cap);
	while (map->slots[h])
		h = (h + 1) & (map->cap - 1);
	map->slots[h] = d;
	map->count++;
	return d;
}

void vt_decoder_map_free(struct vt_decoder_map *map)
{
	for (size_t i = 0; i < map->cap; i++)
		free(map->slots[i]);
	free(map->slots);
	map->slots = NULL;
	map->cap = map->count = 0;
}
