"""`make bench`: elbd's benchmarks and fault drills, run against a real `elbd serve` with the HAProxy
data plane on loopback, written up in docs/benchmarks.md. Figures are printed, never asserted."""
