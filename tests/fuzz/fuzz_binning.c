/* fuzz_binning.c — libFuzzer target for the bin-edge loader.
 *
 * The packed binning will sit inside model files, which are untrusted input.
 * A buffer that loads must describe a usable binning (the checks below are
 * the promises the trainer and predictor rely on) and must re-pack to the
 * very same bytes: the format has exactly one encoding of each binning. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree/bin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wn__binning *b = NULL;
    wn_status s = wn__binning_unpack(data, size, &b);
    if (s != WN_OK) {
        if (b || !wn_errmsg()[0])
            abort();
        return 0;
    }
    static const float probe[] = {-INFINITY, -1.0f, -0.0f, 0.0f, 1e-45f, 1.0f, 3e38f, INFINITY,
                                  NAN};
    for (int64_t f = 0; f < b->nfeat; f++) {
        int nb = b->nbins[f];
        if (nb < 1 || nb > 256 || b->missing_bin[f] != nb - 1)
            abort();
        for (int j = 1; j < nb - 2; j++)
            if (!(b->cuts[f][j - 1] < b->cuts[f][j]))
                abort();
        for (size_t k = 0; k < sizeof probe / sizeof probe[0]; k++) {
            int code = wn__binning_bin_of(b, f, probe[k]);
            if (code < 0 || code >= nb || (isnan(probe[k]) && code != nb - 1))
                abort();
        }
    }
    void *buf = NULL;
    size_t len = 0;
    if (wn__binning_pack(b, &buf, &len) != WN_OK || len != size || memcmp(buf, data, size) != 0)
        abort();
    wn_free(buf);
    wn__binning_free(b);
    return 0;
}
