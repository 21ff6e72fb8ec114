"""Prints, as JSON, how tifffile sees a TIFF: what ilastik's probability export must look like
to a reader. Used by tests/probability_tiff_layout.rs.

The layout ilastik writes for a 2-D `tiff` export comes from vigra's `writeImage`
(lazyflow `opExport2DImage.py` -> vigra `src/impex/tiff.cxx`, `TIFFEncoderImpl`): LZW by default,
`PLANARCONFIG_CONTIG` (samples interleaved), photometric RGB for 3 samples and MinIsBlack with
unassociated extra samples otherwise, `SAMPLEFORMAT_UINT` for uint16, one page.
"""
import json
import sys

import tifffile

with tifffile.TiffFile(sys.argv[1]) as t:
    page = t.pages[0]
    series = t.series[0]
    print(json.dumps({
        "pages": len(t.pages),
        "shape": list(series.shape),
        "axes": series.axes,
        "dtype": str(series.dtype),
        "samples_per_pixel": page.samplesperpixel,
        "planar_config": int(page.planarconfig),
        "compression": int(page.compression),
        "photometric": int(page.photometric),
        "sample_format": int(page.sampleformat),
        "bits_per_sample": page.bitspersample,
        "extra_samples": [int(v) for v in page.extrasamples],
    }))
