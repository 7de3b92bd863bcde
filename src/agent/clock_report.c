/* The clock check's report: what is there, and the exact lines to add. */
#include "agent/agent.h"

#include "common/text.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

static void print_offset(FILE *out, const char *label, double s, int sign)
{
	double a = fabs(s);
	if (a < 1e-6)
		fprintf(out, sign ? "%s%+.0f ns" : "%s%.0f ns", label, s * 1e9);
	else if (a < 1e-3)
		fprintf(out, sign ? "%s%+.3f us" : "%s%.3f us", label, s * 1e6);
	else
		fprintf(out, sign ? "%s%+.3f ms" : "%s%.3f ms", label, s * 1e3);
}

int vt_clock_check_print(const struct vt_clock_check *c, FILE *out)
{
	int bad = 0;
	const char *dev = c->ptp_dev[0] ? c->ptp_dev : "/dev/ptp0";
	const char *conf = c->chrony_conf[0] ? c->chrony_conf : "/etc/chrony/chrony.conf";

	if (c->ptp_kvm_module == VT_CHECK_OK) {
		fprintf(out, "ok    ptp_kvm: loaded\n");
	} else {
		bad = 1;
		fprintf(out, "FAIL  ptp_kvm: not loaded (is this a KVM guest with CONFIG_PTP_1588_CLOCK_KVM?)\n"
			     "      run:  modprobe ptp_kvm\n"
			     "      keep: echo ptp_kvm > /etc/modules-load.d/ptp_kvm.conf\n");
	}
	if (c->ptp_clock == VT_CHECK_OK) {
		fprintf(out, "ok    PTP clock: %s is \"KVM virtual PTP\"\n", c->ptp_dev);
	} else {
		bad = 1;
		fprintf(out, "FAIL  PTP clock: no \"KVM virtual PTP\" in /sys/class/ptp/*/clock_name%s\n",
			c->ptp_kvm_module == VT_CHECK_OK ? " (ptp_kvm loaded but the host offers no clock?)" : "");
	}
	switch (c->chrony_config) {
	case VT_CHECK_OK:
		fprintf(out, "ok    chrony config: %s: %s\n", c->chrony_conf, c->refclock_line);
		break;
	case VT_CHECK_WARN:
		bad = 1;
		fprintf(out, "WARN  chrony config: %s: \"%s\" does not name %s\n"
			     "      replace it with:  refclock PHC %s poll 2\n",
			c->chrony_conf, c->refclock_line, dev, dev);
		break;
	case VT_CHECK_FAIL:
		bad = 1;
		fprintf(out, "FAIL  chrony config: no \"refclock PHC\" line in %s\n"
			     "      add to %s:  refclock PHC %s poll 2\n"
			     "      then:  systemctl restart chrony\n",
			conf, conf, dev);
		break;
	default:
		bad = 1;
		fprintf(out, "FAIL  chrony config: no chrony.conf found (is chrony installed? apt-get install chrony)\n"
			     "      add to %s:  refclock PHC %s poll 2\n", conf, dev);
	}
	switch (c->chrony_running) {
	case VT_CHECK_OK:
		fprintf(out, "%s chrony: tracking %s, ", c->chrony_phc_selected ? "ok   " : "WARN ",
			c->ref_name[0] ? c->ref_name : "?");
		print_offset(out, "offset ", c->offset_s, 1);
		print_offset(out, " (rms ", c->rms_offset_s, 0);
		fprintf(out, ")%s\n", c->chrony_phc_selected ? "" :
			c->chrony_uses_phc ? "; the PHC refclock is not the selected source yet" :
			"; no PHC refclock among its sources");
		if (!c->chrony_phc_selected)
			bad = 1;
		break;
	case VT_CHECK_FAIL:
		bad = 1;
		fprintf(out, "FAIL  chrony: `chronyc -c tracking` gave no answer (chronyd not running?)\n");
		break;
	default:
		if (c->chronyc_missing) {
			bad = 1;
			fprintf(out, "FAIL  chrony: chronyc is not installed (apt-get install chrony)\n");
		} else {
			fprintf(out, "-     chrony: not asked (chronyc not run)\n");
		}
	}
	fprintf(out, bad ? "\nGuest and host clocks are not known to agree: vmtrace analyze will have to"
			   " synchronize traces from their events.\n"
			 : "\nThis guest's clock follows the host's: traces can be compared as they are.\n");
	return bad;
}

static const char *state(enum vt_check_state s)
{
	return s == VT_CHECK_OK ? "ok" : s == VT_CHECK_WARN ? "warn" : s == VT_CHECK_FAIL ? "fail" : "unknown";
}

char *vt_clock_check_json(const struct vt_clock_check *c)
{
	json_t *j = json_object();
	json_object_set_new(j, "ptp_kvm_module", json_string(state(c->ptp_kvm_module)));
	json_object_set_new(j, "ptp_clock", json_string(state(c->ptp_clock)));
	json_object_set_new(j, "ptp_device", vt_json_str(c->ptp_dev));
	json_object_set_new(j, "chrony_config", json_string(state(c->chrony_config)));
	json_object_set_new(j, "chrony_conf", vt_json_str(c->chrony_conf));
	json_object_set_new(j, "refclock_line", vt_json_str(c->refclock_line));
	json_object_set_new(j, "chrony_running", json_string(state(c->chrony_running)));
	json_object_set_new(j, "chronyc_installed", json_boolean(!c->chronyc_missing));
	json_object_set_new(j, "chrony_uses_phc", json_boolean(c->chrony_uses_phc));
	json_object_set_new(j, "chrony_phc_selected", json_boolean(c->chrony_phc_selected));
	json_object_set_new(j, "reference", vt_json_str(c->ref_name));
	json_object_set_new(j, "offset_s", c->has_offset ? json_real(c->offset_s) : json_null());
	json_object_set_new(j, "rms_offset_s", c->has_offset ? json_real(c->rms_offset_s) : json_null());
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}
