"""Benchmarks for the ETL and the site. They report numbers; they never assert thresholds.

Run them all with ``make bench`` (or ``python -m benchmarks``): a table goes to standard
output and the full results, with machine notes, to ``benchmarks/results/latest.json``.
See ``benchmarks/README.md`` for what each figure means.

Modules, one per benchmark:

* :mod:`benchmarks.etl_throughput`: rows per second of ``etl.pipeline.run``.
* :mod:`benchmarks.page_load`: time to the Quality of life chart being drawn in Chromium.
* :mod:`benchmarks.callback_latency`: time from choosing the index measure to the redraw.
* :mod:`benchmarks.http_load`: requests per second against a page and a Dash callback.

:mod:`benchmarks.site` starts and stops the gunicorn server the last three share.
"""
