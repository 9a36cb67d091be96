// Preloaded with `node --import` by the benchmarks: prints the process's peak memory on exit.
process.on('exit', () => {
  process.stderr.write(`peak_rss_mb=${(process.resourceUsage().maxRSS / 1024).toFixed(1)}\n`);
});
