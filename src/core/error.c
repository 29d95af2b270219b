/* error.c — status names and the thread-local error message.
 *
 * Like SQLite's handle message, the detail of a failure lives beside the
 * status code: the code is for programs, the message (file, line, column,
 * parameter) for people. One buffer per thread, so concurrent calls on
 * different threads never mix their messages. */
#include "core.h"

#include <stdio.h>
#include <string.h>

#define WN__MSG_MAX 1024

static _Thread_local char msg[WN__MSG_MAX];

const char *wn_errmsg(void) { return msg; }

const char *wn_status_name(wn_status s)
{
    switch (s) {
    case WN_OK: return "ok";
    case WN_EINVAL: return "invalid argument";
    case WN_ENOMEM: return "out of memory";
    case WN_EIO: return "input/output error";
    case WN_EFORMAT: return "malformed input";
    case WN_ENUMERIC: return "numerical problem";
    case WN_ENOTFOUND: return "not found";
    case WN_EINTERNAL: return "internal error";
    }
    return "unknown status";
}

const char *wn_version(void) { return WN_VERSION_STRING; }

wn_status wn__fail(wn_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return s;
}

wn_status wn__fail_prefix(wn_status s, const char *fmt, ...)
{
    char old[WN__MSG_MAX];
    memcpy(old, msg, sizeof old);
    char pre[WN__MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    /* truncation is fine here: the message is for people */
    size_t lp = strnlen(pre, sizeof pre - 1);
    if (lp > sizeof msg - 3)
        lp = sizeof msg - 3;
    memcpy(msg, pre, lp);
    msg[lp] = ':';
    msg[lp + 1] = ' ';
    size_t lo = strnlen(old, sizeof old - 1);
    if (lo > sizeof msg - lp - 3)
        lo = sizeof msg - lp - 3;
    memcpy(msg + lp + 2, old, lo);
    msg[lp + 2 + lo] = 0;
    return s;
}

wn_status wn__oom(const char *what)
{
    return wn__fail(WN_ENOMEM, "out of memory (%s)", what);
}
