/* LTTng's packet index files (index/FILE.idx): a data stream file's packets,
 * when the index is whole and agrees with the file; else the native reader
 * scans the packets' own headers. */
#ifndef VT_SOURCES_CTF_INDEX_H
#define VT_SOURCES_CTF_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct vt_ctf_index_entry {
	uint64_t offset;       /* bytes from the file's start */
	uint64_t total_bits;   /* the packet's size */
	uint64_t content_bits; /* its content's */
};

struct vt_ctf_index {
	struct vt_ctf_index_entry *pkt; /* owned; NULL when there is no usable index */
	size_t n;
};

/* Loads the index of the stream file at stream_path (file_size bytes): 1
 * when taken (every packet contiguous from byte 0 to the file's end, sizes in
 * whole bytes, content within size), 0 when absent, short or inconsistent
 * (idx empty). Never fails otherwise. */
int vt_ctf_index_load(struct vt_ctf_index *idx, const char *stream_path, uint64_t file_size);
void vt_ctf_index_free(struct vt_ctf_index *idx);

#endif
