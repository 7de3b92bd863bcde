/* The HTML report: the model's sink feeding the rows (html_rows.c), then one
 * self-contained document: the data as a script literal, the page's CSS and
 * JavaScript (src/exporters/html/, embedded at build time). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/output.h"
#include "common/text.h"
#include "exporters/html_rows.h"
#include "vmtrace/analyses.h"
#include "vmtrace/report.h"

extern const char vt_html_asset_css[];
extern const char vt_html_asset_js[];

struct vt_html_report {
	struct vt_html_rows rows;
	const struct vt_findings *findings; /* weak */
	const struct vt_html_table *table;  /* weak */
};

void vt_html_report_set_table(struct vt_html_report *r, const struct vt_html_table *t)
{
	r->table = t;
}

static void html_text(FILE *f, const char *s);

/* The static table: HTML escaped, readable without the script. */
static void write_table(FILE *f, const struct vt_html_table *t)
{
	if (!t || !t->ncols)
		return;
	fputs("<section class=\"static-table\"><h2>", f);
	html_text(f, t->title);
	fputs("</h2>\n", f);
	if (t->note) {
		fputs("<p>", f);
		html_text(f, t->note);
		fputs("</p>\n", f);
	}
	fputs("<table>\n", f);
	for (size_t row = 0; row <= t->nrows; row++) {
		fputs("<tr>", f);
		for (size_t c = 0; c < t->ncols; c++) {
			fputs(row ? "<td>" : "<th>", f);
			html_text(f, t->cells[row * t->ncols + c]);
			fputs(row ? "</td>" : "</th>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></section>\n", f);
}

void vt_html_report_set_findings(struct vt_html_report *r, const struct vt_findings *findings)
{
	r->findings = findings;
}

struct vt_html_report *vt_html_report_new(uint64_t first, uint64_t last, const struct vt_html_budget *budget,
					  struct vt_error *err)
{
	struct vt_html_report *r = calloc(1, sizeof(*r));
	if (r)
		vt_html_rows_init(&r->rows, first, last, budget);
	else
		vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	return r;
}

void vt_html_report_free(struct vt_html_report *r)
{
	if (!r)
		return;
	vt_html_rows_free(&r->rows);
	free(r);
}

size_t vt_html_report_memory(const struct vt_html_report *r, size_t *items)
{
	return vt_html_rows_memory(&r->rows, items);
}

/* pCPU rows: 0 idle, 1 a host thread, 2 the hypervisor for a guest, 3 + g guest g's code. */
static int cpu_state(const struct vt_cpu_interval *iv)
{
	if (iv->tid == 0)
		return 0;
	if (iv->guest < 0)
		return 1;
	return iv->guest_mode ? 3 + iv->guest : 2;
}

static void on_cpu(void *ctx, const struct vt_model *model, size_t cpu, const struct vt_cpu_interval *iv)
{
	struct vt_html_report *r = ctx;
	int n = 3 + (int)model->machines->count;
	vt_html_rows_add(&r->rows, VT_HTML_ROW_CPU, cpu, n, iv->start, iv->end, cpu_state(iv), iv->tid);
}

static void on_vcpu(void *ctx, const struct vt_model *model, size_t vcpu, const struct vt_vcpu_interval *iv)
{
	(void)model;
	struct vt_html_report *r = ctx;
	vt_html_rows_add(&r->rows, VT_HTML_ROW_VCPU, vcpu, VT_VCPU_STATE_COUNT, iv->start, iv->end, (int)iv->state,
			 iv->detail);
}

static void on_thread(void *ctx, const struct vt_model *model, size_t thread, const struct vt_thread_interval *iv)
{
	(void)model;
	struct vt_html_report *r = ctx;
	vt_html_rows_add(&r->rows, VT_HTML_ROW_THREAD, thread, VT_THREAD_STATE_COUNT, iv->start, iv->end, iv->state,
			 iv->vcpu);
}

struct vt_model_sink vt_html_report_sink(struct vt_html_report *r)
{
	return (struct vt_model_sink){on_vcpu, on_thread, on_cpu, r};
}

/* A JavaScript string literal, safe inside <script> (vt_json_write). */
static void js_str(FILE *f, const char *s)
{
	vt_json_write(f, s, 1);
}

/* HTML text (the title): valid UTF-8, markup characters as entities, control
 * characters as U+FFFD (they may not appear in HTML text). */
static void html_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	for (size_t i = 0; i < n;) {
		size_t k = vt_utf8_seq_len(p + i, n - i);
		if (!k || (k == 1 && (p[i] < 0x20 || p[i] == 0x7f)) || (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0))
			fputs("\xef\xbf\xbd", f);
		else if (p[i] == '<')
			fputs("&lt;", f);
		else if (p[i] == '>')
			fputs("&gt;", f);
		else if (p[i] == '&')
			fputs("&amp;", f);
		else
			fwrite(p + i, 1, k, f);
		i += k ? k : 1;
	}
}

static void write_rows(FILE *f, const struct vt_html_rows *rs, int kind)
{
	int first = 1;
	fputc('[', f);
	for (size_t i = 0; i < rs->n[kind]; i++) {
		const struct vt_html_row *row = &rs->rows[kind][i];
		if (!row->used)
			continue;
		fprintf(f, "%s\n{\"i\":%zu,\"k\":%d,\"x\":[%s],\"a\":[%s]}", first ? "" : ",", i, row->nstates,
			row->x.buf ? row->x.buf : "", row->a.buf ? row->a.buf : "");
		first = 0;
	}
	fputc(']', f);
}

/* Exits of every vCPU of one QEMU merged (vt_guest_summaries), histograms
 * included so the quantiles stay right. */
static void write_guest_exits(FILE *f, const struct vt_guest_summary *gs, size_t ng, int64_t pid, int guest)
{
	fputc('[', f);
	for (size_t g = 0; g < ng; g++) {
		if (gs[g].qemu_pid != pid || gs[g].guest != guest)
			continue;
		const struct vt_exit_stats *all = gs[g].exits;
		for (size_t k = 0; k < gs[g].nexits; k++)
			fprintf(f, "%s[%llu,%llu,%llu,%llu,%llu,%llu]", k ? "," : "", (unsigned long long)all[k].reason,
				(unsigned long long)all[k].count, (unsigned long long)all[k].total_ns,
				(unsigned long long)vt_exit_stats_quantile(&all[k], 0.5),
				(unsigned long long)vt_exit_stats_quantile(&all[k], 0.99), (unsigned long long)all[k].max_ns);
		break;
	}
	fputc(']', f);
}

/* {"code":"NAME", ...} for every exit reason the vCPUs saw. */
static void write_reason_names(FILE *f, const struct vt_model *model)
{
	fputs("\"reason_names\":{", f);
	int any = 0;
	for (size_t i = 0; i < model->nvcpus; i++) {
		const struct vt_vcpu_model *v = &model->vcpus[i];
		for (size_t e = 0; e < v->nexits; e++) {
			char buf[32];
			fprintf(f, "%s\"%llu\":", any++ ? "," : "", (unsigned long long)v->exits[e].reason);
			js_str(f, vt_exit_reason_name(v->isa, v->exits[e].reason, buf, sizeof(buf)));
		}
	}
	fputs("},\n", f);
}

static uint64_t rel(const struct vt_html_rows *rs, uint64_t t)
{
	return t > rs->t0 ? t - rs->t0 : 0;
}

/* "findings":[...]: each with its time range relative to t0, its texts and figures. */
static void write_findings(FILE *f, const struct vt_html_rows *rs, const struct vt_findings *fs,
			   const struct vt_machines *m)
{
	fputs("\"findings\":[", f);
	for (size_t i = 0; fs && i < fs->count; i++) {
		const struct vt_finding *x = &fs->items[i];
		fprintf(f, "%s\n{\"id\":", i ? "," : "");
		js_str(f, x->id);
		fputs(",\"severity\":", f);
		js_str(f, vt_severity_name(x->severity));
		fputs(",\"guest\":", f);
		if (x->guest >= 0)
			js_str(f, vt_report_machine_name(m, x->guest));
		else
			fputs("null", f);
		fprintf(f, ",\"vcpu\":%d,\"tid\":%d,\"start\":%llu,\"end\":%llu,\"summary\":", x->vcpu, x->tid,
			(unsigned long long)rel(rs, x->start_ns), (unsigned long long)rel(rs, x->end_ns));
		js_str(f, x->summary);
		fputs(",\"meaning\":", f);
		js_str(f, x->meaning);
		fputs(",\"advice\":", f);
		js_str(f, x->advice);
		fputs(",\"evidence\":[", f);
		for (size_t k = 0; k < x->nfigures; k++) {
			fprintf(f, "%s[", k ? "," : "");
			js_str(f, x->figures[k].key);
			fprintf(f, x->figures[k].integer ? ",%.0f]" : ",%.6g]", x->figures[k].value);
		}
		fputs("],\"thresholds\":[", f);
		for (size_t k = 0; k < x->nthresholds; k++) {
			fprintf(f, "%s[", k ? "," : "");
			js_str(f, vt_threshold_name(x->thresholds[k].which));
			fprintf(f, ",%.6g]", x->thresholds[k].value);
		}
		fputs("]}", f);
	}
	fputs("],\n", f);
}

static void write_data(FILE *f, const struct vt_html_rows *rs, const struct vt_model *model,
		       const struct vt_machines *m, const struct vt_findings *fs)
{
	fprintf(f, "window.VT_DATA={\"t0\":\"%llu\",\"span\":%llu,\"host\":%d,\n\"machines\":[",
		(unsigned long long)rs->t0, (unsigned long long)(rs->t1 - rs->t0 + 1), model->host);
	for (size_t k = 0; k < m->count; k++) {
		fprintf(f, "%s{\"name\":", k ? "," : "");
		js_str(f, vt_report_machine_name(m, (int)k));
		fprintf(f, ",\"role\":\"%s\"}",
			m->machines[k].role == VT_ROLE_HOST ? "host" : m->machines[k].role == VT_ROLE_GUEST ? "guest" : "unknown");
	}
	fputs("],\n", f);
	write_findings(f, rs, fs, m);
	write_reason_names(f, model);
	fputs("\"vcpus\":[", f);
	struct vt_guest_summary *gs;
	size_t ng = vt_guest_summaries(model, &gs);
	for (size_t i = 0; i < model->nvcpus; i++) {
		const struct vt_vcpu_model *v = &model->vcpus[i];
		fprintf(f, "%s\n{\"i\":%zu,\"guest\":%d,\"name\":", i ? "," : "", i, v->guest);
		js_str(f, vt_report_machine_name(m, v->guest));
		fprintf(f, ",\"qemu\":%lld,\"vcpu\":%u,\"tid\":%d,\"start\":%llu,\"end\":%llu,\"totals\":[",
			(long long)v->qemu_pid, v->vcpu, v->tid, (unsigned long long)rel(rs, v->start_ns),
			(unsigned long long)rel(rs, v->end_ns));
		for (int s = 0; s < VT_VCPU_STATE_COUNT; s++)
			fprintf(f, "%s%llu", s ? "," : "", (unsigned long long)v->totals[s]);
		fputs("],\"reasons\":[", f);
		for (size_t k = 0; k < v->nreasons; k++)
			fprintf(f, "%s[%llu,%llu]", k ? "," : "", (unsigned long long)v->by_reason[k].reason,
				(unsigned long long)v->by_reason[k].ns);
		fputs("],\"holders\":[", f);
		for (size_t k = 0; k < v->nholders; k++) {
			fprintf(f, "%s[%d,", k ? "," : "", v->by_holder[k].tid);
			js_str(f, v->by_holder[k].comm);
			fprintf(f, ",%llu]", (unsigned long long)v->by_holder[k].ns);
		}
		fputs("],\"exits\":", f);
		int first = 1;
		for (size_t j = 0; j < i; j++)
			first &= model->vcpus[j].qemu_pid != v->qemu_pid || model->vcpus[j].guest != v->guest;
		if (first)
			write_guest_exits(f, gs, ng, v->qemu_pid, v->guest);
		else
			fputs("null", f);
		fputc('}', f);
	}
	vt_guest_summaries_free(gs, ng);
	fputs("],\n\"threads\":[", f);
	for (size_t i = 0; i < model->nthreads; i++) {
		const struct vt_thread_model *t = &model->threads[i];
		fprintf(f, "%s\n{\"i\":%zu,\"guest\":%d,\"tid\":%d,\"comm\":", i ? "," : "", i, t->guest, t->tid);
		js_str(f, t->comm);
		fputs(",\"totals\":[", f);
		for (int s = 0; s < VT_THREAD_STATE_COUNT; s++)
			fprintf(f, "%s%llu", s ? "," : "", (unsigned long long)t->totals[s]);
		fputs("]}", f);
	}
	fputs("],\n\"cpus\":[", f);
	for (size_t c = 0; c < model->ncpus; c++) {
		fprintf(f, "%s\n{\"i\":%zu,\"shares\":[", c ? "," : "", c);
		for (size_t k = 0; k < model->cpus[c].nshares; k++) {
			const struct vt_cpu_share *sh = &model->cpus[c].shares[k];
			fprintf(f, "%s[%d,", k ? "," : "", sh->tid);
			js_str(f, sh->comm);
			fprintf(f, ",%d,%d,%llu]", sh->guest, sh->guest_mode, (unsigned long long)sh->ns);
		}
		fputs("]}", f);
	}
	fputs("],\n\"rows\":{\"cpu\":", f);
	write_rows(f, rs, VT_HTML_ROW_CPU);
	fputs(",\n\"vcpu\":", f);
	write_rows(f, rs, VT_HTML_ROW_VCPU);
	fputs(",\n\"thread\":", f);
	write_rows(f, rs, VT_HTML_ROW_THREAD);
	fprintf(f, "},\n\"budget\":{\"bins\":%u,\"exact\":%u,\"sub\":%u,\"width\":%llu}};\n", rs->bins, rs->exact,
		rs->sub, (unsigned long long)rs->width);
}

int vt_html_report_write(struct vt_html_report *r, const struct vt_model *model, const struct vt_machines *m,
			 const char *title, const char *path, struct vt_error *err)
{
	vt_html_rows_finish(&r->rows);
	if (r->rows.oom)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory while building the report", path);
	struct vt_output out;
	if (vt_output_open(&out, path, err))
		return -1;
	FILE *f = out.f;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>vmtrace report: ", f);
	html_text(f, title);
	fputs("</title>\n<style>\n", f);
	fputs(vt_html_asset_css, f);
	fputs("</style>\n</head>\n<body>\n<header><h1>vmtrace report</h1><p class=\"sub\">", f);
	html_text(f, title);
	fputs("</p></header>\n<noscript><p>This report draws itself with JavaScript; enable it to see the figures.</p></noscript>\n"
	      "<main id=\"report\"></main>\n",
	      f);
	write_table(f, r->table);
	fputs("<script>\n", f);
	write_data(f, &r->rows, model, m, r->findings);
	fputs("</script>\n<script>\n", f);
	fputs(vt_html_asset_js, f);
	fputs("</script>\n</body>\n</html>\n", f);
	return vt_output_close(&out, 1, err);
}
