/* Strings from traces and other machines (comms, hostnames, guest names,
 * paths found in folders) as the text commands print them: control
 * characters and invalid UTF-8 escaped (vt_text_safe), so a name cannot move
 * the cursor, clear the screen or start a line of its own. */
#ifndef VMTRACE_CLI_SHOWN_H
#define VMTRACE_CLI_SHOWN_H

/* s escaped for a terminal, in one of 8 rotating buffers: valid until 8 more
 * calls, enough for the strings of one printf. NULL gives "". */
const char *vt_shown(const char *s);

#endif
