"""An on-demand check of one member, run by elbd itself: `decisions` is pure, `probe` does the socket I/O."""
