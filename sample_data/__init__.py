"""Sample consultation data for Engage: a generator and the files it writes.

`sample_data.generate` builds a made-up Dorset "Big Ask" (2013) export; the CSV and XLSX
beside this file are its committed output. See README.md in this folder.
"""
