/* vmtrace: what the library exports. libvmtrace is built with
 * -fvisibility=hidden: only the functions its public headers mark VT_API are
 * in its dynamic symbol table; everything else is internal. */
#ifndef VMTRACE_API_H
#define VMTRACE_API_H

#if defined(__GNUC__) || defined(__clang__)
#define VT_API __attribute__((visibility("default")))
#else
#define VT_API
#endif

#endif
