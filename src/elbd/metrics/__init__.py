"""Prometheus metrics: the exposition format, counters and histograms, HAProxy's statistics as metrics,
and the operator's endpoint that serves them (`elbd serve --metrics-port`)."""
