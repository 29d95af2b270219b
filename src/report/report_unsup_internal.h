/* report_unsup_internal.h — what report_unsup.c (assembly, PCA and cluster
 * panels) and report_anom.c (anomaly panels) share (private). */
#ifndef WN_REPORT_UNSUP_INTERNAL_H
#define WN_REPORT_UNSUP_INTERNAL_H

#include "report_internal.h"

#define WN__UREP_MAXF 64
#define DNAN ((double)NAN) /* components shown in the explained-variance plot */

/* One unsupervised report in the making. x holds the sampled rows' model
 * features, feature-major: x[f * ns + i]; mu/sd their mean and standard
 * deviation over the sample (z units). srows[i] is the row of t of sample
 * row i. y: the label of every row of t (NULL without one); ys of the
 * sample rows; ncls the classes seen (0..ncls-1). */
typedef struct wn__urep {
    wn__rep r; /* page machinery: body, verdicts, options */
    const wn_unsup_report *u;
    int64_t n, nf, ns;
    const char **fnames;
    wn_table *sample; /* NULL: t itself */
    int64_t *srows;
    float *x;
    double *mu, *sd;
    float *y, *ys;
    int ncls;
    int64_t levels_col;
    int standardized;
} wn__urep;

void wn__urep_free(wn__urep *q);
/* Class of a label value (0..ncls-1), or -1. */
int wn__urep_class(const wn__urep *q, float v);
/* "<level> (k)" from the label's text levels, else "<label> = k". */
void wn__urep_class_name(const wn__urep *q, int k, char *buf, size_t size);

/* report_anom.c: score distribution, ROC against the label, top events,
 * baskets. WN_OK or WN_ENOMEM. */
wn_status wn__urep_anomaly_panels(wn__urep *q);

#endif
